namespace Ibex.Tests.Schema;

/// <summary>Data files of the schema tests (corpus, realistic schema).</summary>
public static class SchemaFiles
{
    /// <summary>
    /// A folder under test/Ibex.Tests/Schema: next to the test assembly when copied there, else found in the
    /// source tree above it.
    /// </summary>
    public static string Folder(string name)
    {
        var here = Path.Combine(AppContext.BaseDirectory, "Schema", name);
        if (Directory.Exists(here))
            return here;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "test", "Ibex.Tests", "Schema", name);
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"test/Ibex.Tests/Schema/{name} not found above {AppContext.BaseDirectory}");
    }

    public static string Read(string folder, string file) => File.ReadAllText(Path.Combine(Folder(folder), file));
}
