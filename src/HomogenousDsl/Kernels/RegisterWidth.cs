namespace HomogenousDsl.Kernels;

/// <summary>
/// How a kernel moves one register's worth of a row: the whole register, or only its first lanes at a row's end
/// (<see cref="ISimd{TV}.LoadFirst"/>). A struct type parameter, so one loop body serves both and the JIT compiles each.
/// </summary>
internal interface IRegisterWidth
{
    static abstract TV Load<TV, T>(ref float source, int lanes) where TV : struct where T : ISimd<TV>;
    static abstract void Store<TV, T>(TV value, ref float destination, int lanes) where TV : struct where T : ISimd<TV>;
}

/// <summary>All lanes (the lane count argument is ignored).</summary>
internal readonly struct WholeRegister : IRegisterWidth
{
    public static TV Load<TV, T>(ref float source, int lanes) where TV : struct where T : ISimd<TV> => T.Load(ref source);
    public static void Store<TV, T>(TV value, ref float destination, int lanes) where TV : struct where T : ISimd<TV> => T.Store(value, ref destination);
}

/// <summary>The first <c>lanes</c> lanes only; the others load as zero and are never stored.</summary>
internal readonly struct FirstLanes : IRegisterWidth
{
    public static TV Load<TV, T>(ref float source, int lanes) where TV : struct where T : ISimd<TV> => T.LoadFirst(ref source, lanes);
    public static void Store<TV, T>(TV value, ref float destination, int lanes) where TV : struct where T : ISimd<TV> => T.StoreFirst(value, ref destination, lanes);
}
