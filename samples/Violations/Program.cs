using System;

Console.WriteLine("Build this project to see TrefGuard's diagnostics; it is not meant to be run.");
