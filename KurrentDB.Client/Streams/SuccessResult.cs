namespace EventDriven.KurrentDB.Client;

/// <summary>A successful append.</summary>
public readonly record struct SuccessResult(StreamRevision NextExpectedStreamRevision, Position LogPosition) : IWriteResult;
