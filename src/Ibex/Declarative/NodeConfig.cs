namespace Ibex.Declarative;

/// <summary>A node in a configuration file: its name and full connection string (with any password already resolved).</summary>
public sealed record NodeConfig(string Name, string Dsn);
