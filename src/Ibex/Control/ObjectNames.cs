using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ibex.Sql;

namespace Ibex.Control;

/// <summary>
/// Names of the PostgreSQL objects Ibex creates, derived from sync and node names: slots (cluster-wide, ≤ 63
/// characters of [a-z0-9_]), publications (per database) and replication origins (cluster-wide). Every name starts
/// with <see cref="Prefix"/>, which is also how a transaction applied by Ibex is recognised on its way back.
/// </summary>
public static partial class ObjectNames
{
    public const string Prefix = "ibex_";

    const int MaxSlot = 63;

    /// <summary>Valid sync and node names: letters, digits, '_', '-', '.', starting with a letter or digit.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ValidName();

    public static void Validate(string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ValidName().IsMatch(name))
            throw new IbexException($"{kind} name '{name}' is not valid; use up to 63 letters, digits, '_', '-' or '.', starting with a letter or digit");
    }

    /// <summary>The logical replication slot of one (sync, source).</summary>
    public static string Slot(string sync, string source) => Fit(sync, source);

    /// <summary>The publication of one sync on each of its sources.</summary>
    public static string Publication(string sync) => Fit(sync);

    /// <summary>The replication origin on a target for changes of one (sync, source).</summary>
    public static string Origin(string sync, string source, string target) => Fit(sync, source, target);

    /// <summary>A temporary slot used for an initial copy snapshot.</summary>
    public static string CopySlot(string sync, string source) => Fit("copy", sync, source, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N")[..6]);

    /// <summary>True for an origin name Ibex created: transactions carrying it are not sent back.</summary>
    public static bool IsIbexOrigin(string? origin) => origin is not null && origin.StartsWith(Prefix, StringComparison.Ordinal);

    // Parts are joined with '_'. When a part could be misread (it holds '_', upper case or other characters) or
    // the result is too long, a short hash of the exact parts is appended, so "a_b"+"c" and "a"+"b_c" never share a slot.
    static string Fit(params string[] parts)
    {
        var derived = Prefix + string.Join('_', parts.Select(Ident.SlotFragment));
        var plain = parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)));
        if (plain && derived.Length <= MaxSlot)
            return derived;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))))[..8];
        var room = MaxSlot - hash.Length - 1;
        return (derived.Length > room ? derived[..room] : derived) + "_" + hash;
    }
}
