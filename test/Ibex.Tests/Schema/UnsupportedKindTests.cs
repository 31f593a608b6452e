using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>Objects of kinds the diff does not handle are named in a warning, never skipped silently.</summary>
public class UnsupportedKindTests(SharedClusters clusters)
{
    [Fact]
    public async Task An_object_of_an_unhandled_kind_is_named_in_a_one_line_warning()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(from, "CREATE TABLE t (id int); CREATE ACCESS METHOD heap_copy TYPE TABLE HANDLER heap_tableam_handler;"),
            kit.PsqlAsync(to, "CREATE TABLE t (id int); CREATE CONVERSION latin_to_utf FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;"));

        var (code, output, error) = await kit.DiffAsync(from, to, "--exit-code");

        code.ShouldBe(0);
        output.ShouldBe("");
        error.ShouldBe(
            "ibex: warning: access method heap_copy (only on --from) is not compared by schema diff; create, change or drop it by hand\n"
            + "ibex: warning: conversion public.latin_to_utf (only on --to) is not compared by schema diff; create, change or drop it by hand\n");
    }

    [Fact]
    public async Task Objects_an_extension_created_are_not_reported()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        // citext brings its own operators, operator classes and casts.
        await Task.WhenAll(kit.PsqlAsync(from, "CREATE EXTENSION citext;"), kit.PsqlAsync(to, "CREATE EXTENSION citext;"));

        (await kit.DiffAsync(from, to, "--exit-code")).ShouldBe((0, "", ""));
    }
}
