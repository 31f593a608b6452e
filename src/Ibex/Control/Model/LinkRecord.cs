namespace Ibex.Control.Model;

/// <summary>One direction of data flow in a sync: changes of <see cref="Source"/> applied on <see cref="Target"/> under <see cref="OriginName"/>.</summary>
public sealed record LinkRecord(string Source, string Target, string OriginName);
