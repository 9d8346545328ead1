using System.Text.Json.Nodes;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Texts that exercise every stage of a tokenizer: normalizers (NFC, combining marks), pre-tokenizer regexes
/// (whitespace runs, digits, contractions, CRLF), byte fallback (rare scripts, emoji) and added tokens.</summary>
public static class TokenizerTexts
{
    public static readonly IReadOnlyList<string> All =
    [
        "",
        "Hello, world!",
        "def mean(xs: list[float]) -> float:\n    \"\"\"Average.\"\"\"\n    return sum(xs) / len(xs)\n",
        "for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i]; // dot\n}\n",
        "{\"key\": [1, 2.5, -3e10], \"nested\": {\"a\": null, \"b\": true}}",
        "    four spaces, then\ttab\t\ttwo tabs   and three   spaces    ",
        "trailing newlines\n\n\n\nand  \n  indented\n",
        "Windows\r\nline\r\nendings\r\n\r\n",
        "   ",
        "\n",
        "It's, we're, they'll, I'd, you've, she's DON'T",
        "1234567890 3.14159 1,000,000 0x1F 2024-05-17 12:30:45 -42 +7 1e-9",
        "٣٤٥ ١٢٣ 一二三 ⅷ ½ ²³",
        "中文分词测试：我们在北京大学学习自然语言处理。",
        "日本語のテキスト、カタカナとひらがなと漢字。",
        "한국어 텍스트입니다. 안녕하세요!",
        "Русский текст с заглавными Буквами и ёлкой.",
        "Ελληνικά: Καλημέρα κόσμε",
        "العربية: مرحبا بالعالم",
        "עברית: שלום עולם",
        "हिन्दी: नमस्ते दुनिया",
        "ไทย: สวัสดีชาวโลก",
        "ᚠᛇᚻ᛫ᛒᛦᚦ runes and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟘𝟙𝟚",
        "Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇺🇸 🏳️‍🌈 ❤️ 🤖",
        "Combining: e\u0301 a\u0308 n\u0303 vs é ä ñ; Z\u0351\u0308\u0364alg\u0310o\u0307",
        "Hangul jamo: \u1100\u1161\u11A8 and NFC: 각",
        "Ligatures ﬁ ﬂ, fullwidth ＡＢＣ１２３, nbsp\u00a0here, zero\u200bwidth, soft\u00adhyphen",
        "Control \u0001\u0002 chars\u0007 and \u007f delete",
        "<|not_a_special|> <unk> <s > </ s> [INST] [/INST] <<SYS>>",
        "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!!!!!!!!!!!!!!!!!!!!!!!",
        "Mixed: naïve café résumé — “quotes” ‘single’ … • ™ © ® € £ ¥",
    ];

    /// <summary>Every special token of the file inside running text (in texts of 40 tokens each, as a model with
    /// thousands of reserved tokens has), glued to words on both sides and standing alone.</summary>
    public static IEnumerable<string> WithEverySpecialToken(string tokenizerJson)
    {
        var specials = JsonNode.Parse(File.ReadAllText(tokenizerJson))!["added_tokens"]!.AsArray()
            .Where(t => (bool)t!["special"]!).Select(t => (string)t!["content"]!).ToList();
        return specials.Chunk(40).Select(chunk => string.Concat(chunk.Select((t, i) => i % 2 == 0 ? $"x{t}y " : $"{t}\n {t} ")));
    }
}
