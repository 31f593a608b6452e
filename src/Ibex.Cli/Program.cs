return await Ibex.Cli.CliApp.MainAsync(args);
