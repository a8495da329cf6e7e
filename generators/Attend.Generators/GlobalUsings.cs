// The namespaces nearly every stage file opens, opened once for the generator project (ImplicitUsings stays off:
// this list is the project's own, and a file that needs anything else still says so).
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Linq;
global using System.Threading;
global using Attend.Generators.Diagnostics;
global using Attend.Generators.Model;
global using Attend.Generators.Planning;
global using Microsoft.CodeAnalysis;
