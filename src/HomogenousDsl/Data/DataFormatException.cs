namespace HomogenousDsl.Data;

/// <summary>
/// A data file does not have the layout its format requires. By convention the message starts with the file it
/// concerns ("path: …") and says what was expected and what was found, so a user can fix the file without a debugger.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception with a complete message.</summary>
    /// <param name="message">The whole message: the file, then what was expected and what was found.</param>
    /// <param name="filePath">The file or stream name the problem was found in, or null when unknown.</param>
    /// <param name="innerException">The lower-level failure, e.g. a corrupt gzip stream.</param>
    public DataFormatException(string message, string? filePath = null, Exception? innerException = null)
        : base(message, innerException) => FilePath = filePath;

    /// <summary>The file or stream name the problem was found in, or null when unknown.</summary>
    public string? FilePath { get; }
}
