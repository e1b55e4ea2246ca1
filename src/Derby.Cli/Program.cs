using Derby.Cli;

return await DerbyCommandLine.Build().Parse(args).InvokeAsync();
