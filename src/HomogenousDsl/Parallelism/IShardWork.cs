namespace HomogenousDsl.Parallelism;

/// <summary>Work split into numbered shards; an interface rather than a delegate so dispatch allocates nothing.</summary>
public interface IShardWork
{
    /// <summary>Runs shard <paramref name="shard"/> of the current phase. Shards must touch disjoint data.</summary>
    void RunShard(int shard);
}
