namespace Ibex.Schema.Diffing;

/// <summary>
/// Why a statement needs an operator's attention: what it does (<c>drop column public.users.email</c>) and why
/// that matters (<c>data loss</c>). Data-losing statements are refused unless hazards are allowed.
/// </summary>
internal sealed record Hazard(string Action, string Reason, bool DataLoss)
{
    public static Hazard Loss(string action, string reason = "data loss") => new(action, reason, true);

    public static Hazard Lock(string action, string reason) => new(action, reason, false);

    public override string ToString() => $"{Action} ({Reason})";
}
