namespace Ibex.Schema.Model;

/// <summary>An output column of a view: CREATE OR REPLACE VIEW may only append columns.</summary>
internal sealed record ViewColumn(string Name, string Type);
