using System.ComponentModel;
using System.Text.Json.Nodes;
using Pipeline.Data;
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

        [CommandOption("--add-special-tokens"), Description("Apply the tokenizer's post-processor (e.g. add BOS), as HF's add_special_tokens=True.")]
        public bool AddSpecialTokens { get; init; }

        public override ValidationResult Validate() =>
            Model == "" ? ValidationResult.Error("--model is required")
            : Input == "" ? ValidationResult.Error("--input is required")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var texts = TextInputFile.Read(settings.Input, allowEmpty: true);
        var tokenizer = TextTokenizer.Load(settings.Model);
        foreach (var text in texts)
        {
            var ids = tokenizer.Encode(text.Value, settings.AddSpecialTokens);
            Console.Out.WriteLine(new JsonObject
            {
                ["ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray()),
                ["tokens"] = new JsonArray(tokenizer.Tokens(ids).Select(t => (JsonNode)t).ToArray()),
            }.ToJsonString(DataJson.Options));
        }
        return 0;
    }
}
