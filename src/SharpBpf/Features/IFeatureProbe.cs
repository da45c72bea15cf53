namespace SharpBpf.Features;

/// <summary>Answers which map types, program types and helpers a backend supports (<c>sharpbpf feature probe</c>).</summary>
public interface IFeatureProbe
{
    /// <summary>The backend this probe describes: <c>userspace</c> or <c>kernel</c>.</summary>
    string Backend { get; }

    /// <summary>The backend's features (implementations may answer from a cache).</summary>
    FeatureSet Probe();
}
