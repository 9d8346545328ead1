using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;

namespace Pipeline.Data.Tests;

public class FunctionExtractorTests
{
    private const string Module = """"
        import os

        def no_docstring(x):
            return x

        class Greeter:
            def greet(self, name,
                      punctuation="!"):
                '''Say hello.

                Returns the greeting.
                '''
                text = f"Hello, {name}{punctuation}"

                return text

        async def fetch(url):
            """Fetch a URL."""
            return await get(url)
        """";

    [Fact]
    public void Prompt_is_signature_and_docstring_and_response_is_the_dedented_body()
    {
        var examples = FunctionExtractor.Extract(new CorpusDocument("python/greet.py", Module)).ToList();
        Assert.Equal(2, examples.Count);
        var greet = examples[0];
        Assert.Equal("def greet(self, name,\n          punctuation=\"!\"):\n    '''Say hello.\n\n    Returns the greeting.\n    '''\n", greet.Prompt);
        Assert.Equal("    text = f\"Hello, {name}{punctuation}\"\n\n    return text", greet.Response);
        Assert.Equal("python/greet.py", greet.GroupId);
        Assert.Equal("    text = f\"Hello, {name}{punctuation}\"", FunctionExtractor.FirstBodyLine(greet));
        Assert.Equal("async def fetch(url):\n    \"\"\"Fetch a URL.\"\"\"\n", examples[1].Prompt);
        Assert.Equal("    return await get(url)", examples[1].Response);
    }
}
