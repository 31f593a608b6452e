using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Functions and procedures: CREATE OR REPLACE when arguments and result stay the same, otherwise drop and create
/// again (with whatever depends on them).
/// </summary>
internal sealed class FunctionDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
        => [new(Head((FunctionObject)obj, "CREATE "))];

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var f = (FunctionObject)obj;
        return [new((f.IsProcedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + f.Signature + ";")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (FunctionObject)from;
        var t = (FunctionObject)to;
        if (f.ProcKind != t.ProcKind || f.Arguments != t.Arguments || f.Result != t.Result)
            return null;
        return new AlterResult([new(Head(f, "CREATE OR REPLACE "))]);
    }

    static string Head(FunctionObject f, string create)
        => create + (f.IsProcedure ? "PROCEDURE " : "FUNCTION ") + f.Name.Quoted + "(" + f.Body + ";";
}
