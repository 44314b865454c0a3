using System.Runtime.CompilerServices;

namespace HomogenousDsl.Generator.Tests;

/// <summary>
/// Verify-style snapshots: the expected text lives in <c>{Class}.{Test}.verified.cs</c> beside the test file; a
/// mismatch writes <c>.received.cs</c> next to it and fails. Set <c>HOMOGENOUSDSL_ACCEPT_SNAPSHOTS=1</c> to accept the
/// received text. Mirrors Verify's layout so a later switch to Verify.Xunit is a rename.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "HOMOGENOUSDSL_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string name, [CallerFilePath] string testFile = "", [CallerMemberName] string test = "")
    {
        var directory = Path.GetDirectoryName(testFile)!;
        var stem = Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(testFile)}.{test}.{name}");
        var verified = stem + ".verified.cs";
        var received = stem + ".received.cs";
        actual = actual.Replace("\r\n", "\n");
        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n") == actual)
        {
            File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(File.Exists(verified)
            ? $"Generated code differs from {Path.GetFileName(verified)}; see {Path.GetFileName(received)} (set {AcceptVariable}=1 to accept)."
            : $"No snapshot {Path.GetFileName(verified)} yet; wrote {Path.GetFileName(received)} (set {AcceptVariable}=1 to accept).");
    }
}
