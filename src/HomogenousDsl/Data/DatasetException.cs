namespace HomogenousDsl.Data;

/// <summary>
/// Well-formed data that cannot make a usable data set: no samples, a class without samples, a non-finite
/// feature, a target out of range. The message names the data set, sample and class involved.
/// </summary>
/// <param name="message">What is wrong, naming the data set, sample and class involved.</param>
public sealed class DatasetException(string message) : Exception(message);
