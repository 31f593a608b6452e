namespace Ibex.Monitoring.Http;

/// <summary>The dashboard's files, embedded in the assembly (src/Ibex/Monitoring/Web): nothing is loaded from elsewhere.</summary>
public static class WebAssets
{
    const string Prefix = "Ibex.Monitoring.Web.";

    static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>The file's bytes and content type, or null when there is no such file.</summary>
    public static (byte[] Content, string ContentType)? Find(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileName.Contains('/', StringComparison.Ordinal) || !Types.TryGetValue(Path.GetExtension(fileName), out var type))
            return null;
        using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream(Prefix + fileName);
        if (stream is null)
            return null;
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return (ms.ToArray(), type);
    }

    public static IEnumerable<string> Names => typeof(WebAssets).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]);
}
