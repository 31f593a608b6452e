namespace Ibex.Schema.Planning;

internal enum NodeAction
{
    Drop,
    Create,
    Alter,
}
