namespace Ibex.Copy;

/// <summary>What a table's copy has moved so far: bytes of COPY data and rows.</summary>
public readonly record struct CopyCount(long Bytes, long Rows);
