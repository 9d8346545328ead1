using System.ComponentModel;
using System.Text.Json.Nodes;
using Pipeline.Data;
using Pipeline.Data.Chat;
using Pipeline.Data.UserData;
using Pipeline.Data.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline tokenize`: a model's tokenizer on each input text, one JSON line per text, `{"ids": [...], "tokens": [...]}`
/// with the vocabulary's strings, so any other implementation (Hugging Face's `tokenizers`) can be checked against it.
/// No special tokens are added unless --add-special-tokens applies the tokenizer's post-processor.
/// </summary>
public sealed class TokenizeCommand : Command<TokenizeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>"), Description("A Hugging Face model directory, or a folder of tokenizer files only (tokenizer.json or tokenizer.model, tokenizer_config.json).")]
        public string Model { get; init; } = "";

        [CommandOption("--input <FILE>"), Description(".txt (one text, verbatim) or .jsonl (a \"text\" field per line).")]
        public string Input { get; init; } = "";

        [CommandOption("--chat"), Description("The input is .jsonl with a \"messages\" list per line, rendered by the model's chat template (with the generation prompt when the last message is not the assistant's); prints the text too.")]
        public bool Chat { get; init; }

        [CommandOption("--add-special-tokens"), Description("Apply the tokenizer's post-processor (e.g. add BOS), as HF's add_special_tokens=True.")]
        public bool AddSpecialTokens { get; init; }

        public override ValidationResult Validate() =>
            Model == "" ? ValidationResult.Error("--model is required")
            : Input == "" ? ValidationResult.Error("--input is required")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var tokenizer = TextTokenizer.Load(settings.Model);
        var texts = settings.Chat ? RenderChats(settings.Input, ChatFormat.For(tokenizer)) : TextInputFile.Read(settings.Input, allowEmpty: true).Select(t => t.Value);
        foreach (var text in texts)
        {
            var ids = tokenizer.Encode(text, settings.AddSpecialTokens);
            var line = settings.Chat ? new JsonObject { ["text"] = text } : new JsonObject();
            line["ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray());
            line["tokens"] = new JsonArray(tokenizer.Tokens(ids).Select(t => (JsonNode)t).ToArray());
            Console.Out.WriteLine(line.ToJsonString(DataJson.Options));
        }
        return 0;
    }

    /// <summary>As transformers' `apply_chat_template(messages, tokenize=False, add_generation_prompt=...)`.</summary>
    private static IReadOnlyList<string> RenderChats(string path, ChatFormat chat) =>
        JsonlReader.Read(path, (line, field) =>
        {
            var messages = UserDataReader.ReadMessages(line, field);
            try { return chat.Render(messages, addGenerationPrompt: messages[^1].Role != "assistant"); }
            catch (DataFormatException e) { throw field.Error("messages", e.Message); }
        });
}
