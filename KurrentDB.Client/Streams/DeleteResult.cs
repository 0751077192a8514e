namespace EventDriven.KurrentDB.Client;

/// <summary>A successful delete or tombstone, at <paramref name="LogPosition"/> in <c>$all</c>.</summary>
public readonly record struct DeleteResult(Position LogPosition);
