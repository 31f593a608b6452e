namespace Ibex.Schema.Model;

/// <summary>OIDs of the system catalogs that appear in object addresses (fixed across PostgreSQL versions).</summary>
internal static class CatalogClass
{
    public const uint Type = 1247;
    public const uint Proc = 1255;
    public const uint Class = 1259;
    public const uint AttrDef = 2604;
    public const uint Constraint = 2606;
    public const uint Namespace = 2615;
    public const uint Rewrite = 2618;
    public const uint Trigger = 2620;
    public const uint Extension = 3079;
    public const uint Policy = 3256;
    public const uint Cast = 2605;
    public const uint Collation = 3456;
    public const uint StatisticExt = 3381;
    public const uint EventTrigger = 3466;
    public const uint Publication = 6104;
    public const uint Operator = 2617;
    public const uint OperatorClass = 2616;
    public const uint OperatorFamily = 2753;
    public const uint TextSearchDictionary = 3600;
    public const uint TextSearchConfiguration = 3602;
    public const uint ForeignDataWrapper = 2328;
    public const uint ForeignServer = 1417;
    public const uint UserMapping = 1418;
}
