using System.Collections.Frozen;
using System.Reflection;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Jit;

/// <summary>
/// The static method behind a helper's function pointer, so compiled code calls helpers directly (a <c>call</c>
/// RyuJIT can inline and predict) instead of through the pointer. A helper table holds <c>&amp;Method</c> pointers
/// (<c>ldftn</c>), which are the methods' multi-callable entry points, the same value
/// <see cref="RuntimeMethodHandle.GetFunctionPointer"/> gives; a pointer with no method here (a helper registered
/// from another assembly) is still called through the pointer.
/// </summary>
internal static class HelperMethods
{
    private static readonly Type[] s_signature =
        [typeof(RunState), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong)];

    private static readonly Lazy<FrozenDictionary<nint, MethodInfo>> s_byPointer = new(Scan);

    /// <summary>The static method whose entry point is <paramref name="function"/>, if it is one of this assembly's.</summary>
    public static MethodInfo? Find(nint function) => s_byPointer.Value.GetValueOrDefault(function);

    private static FrozenDictionary<nint, MethodInfo> Scan()
    {
        var methods = new Dictionary<nint, MethodInfo>();
        foreach (var type in typeof(HelperMethods).Assembly.GetTypes())
        {
            if (type.IsGenericTypeDefinition)
                continue;
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.ReturnType != typeof(ulong) || method.IsGenericMethodDefinition || !HasHelperSignature(method))
                    continue;
                methods.TryAdd(method.MethodHandle.GetFunctionPointer(), method);
            }
        }

        return methods.ToFrozenDictionary();
    }

    private static bool HasHelperSignature(MethodInfo method)
    {
        var parameters = method.GetParameters();
        if (parameters.Length != s_signature.Length)
            return false;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].ParameterType != s_signature[i])
                return false;
        }

        return true;
    }
}
