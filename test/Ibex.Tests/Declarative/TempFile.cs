namespace Ibex.Tests.Declarative;

/// <summary>A file holding the given text, deleted on dispose.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(string text, string extension = ".yaml")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ibex-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(Path, text);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
