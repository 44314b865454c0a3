namespace HomogenousDsl;

/// <summary>Argument checks shared by all generated networks, so a wrong span length fails with a clear message.</summary>
public static class NetworkArguments
{
    /// <summary>Checks the spans of a forward or backward call (once per call, outside the hot loops).</summary>
    public static void Check(NetworkDescription network, int parameters, int inputs, int outputs, int batch, int workspace, int workspaceNeeded)
    {
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{network.Name}: the batch must hold at least one sample.");
        if (parameters != network.ParameterCount)
            throw new ArgumentException($"{network.Name} has {network.ParameterCount} parameters; the parameter span has {parameters}.", nameof(parameters));
        if (inputs < (long)batch * network.InputSize)
            throw new ArgumentException($"{network.Name}: a batch of {batch} needs {(long)batch * network.InputSize} input floats ({network.InputSize} per sample); the span has {inputs}.", nameof(inputs));
        if (outputs < (long)batch * network.OutputSize)
            throw new ArgumentException($"{network.Name}: a batch of {batch} needs {(long)batch * network.OutputSize} output floats; the span has {outputs}.", nameof(outputs));
        if (workspace < workspaceNeeded)
            throw new ArgumentException($"{network.Name}: a batch of {batch} needs a workspace of {workspaceNeeded} floats; the span has {workspace}.", nameof(workspace));
    }

    /// <summary>Checks the gradient span of a backward call.</summary>
    public static void CheckGradient(NetworkDescription network, int gradient)
    {
        if (gradient != network.ParameterCount)
            throw new ArgumentException($"{network.Name} has {network.ParameterCount} parameters; the gradient span has {gradient}.", nameof(gradient));
    }
}
