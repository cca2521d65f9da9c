using System;

// Every other file of this project holds deliberate mistakes, each marked with the rule it breaks:
//   Ownership.cs           TG0001 TG0004 TG0005 TG0008 TG0010 TG0013 (the ownership family)
//   Locking.cs             TG0002 TG0006 TG0009 (the lock family)
//   Slots.cs               TG0003 TG0007 TG0011 (the slot family)
//   ExternalAnnotations.cs TG0001 on an API annotated by TrefGuard.annotations.txt, whose bad line is TG0012
// expected-diagnostics.txt lists exactly what the build reports; CI compares it with the SARIF log.
Console.WriteLine("Build this project to see TrefGuard's diagnostics; it is not meant to be run.");
