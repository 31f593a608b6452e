namespace Ibex.Tests.Docs;

/// <summary>Where the repository's documents are, from the test assembly's folder.</summary>
public static class DocFiles
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ibex.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("repository root (Ibex.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>README.md, docs/*.md and packaging/README.md, as paths relative to the repository root.</summary>
    public static IReadOnlyList<string> Markdown()
    {
        var root = RepoRoot();
        var files = new List<string> { "README.md" };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal));
        if (File.Exists(Path.Combine(root, "packaging", "README.md")))
            files.Add(Path.Combine("packaging", "README.md"));
        return files;
    }
}
