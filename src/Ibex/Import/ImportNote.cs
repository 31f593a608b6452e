namespace Ibex.Import;

/// <summary>Something of the Bucardo configuration that is not carried over as it is: the object and why, with the way out.</summary>
public sealed record ImportNote(string Object, string Text)
{
    public override string ToString() => $"{Object}: {Text}";
}
