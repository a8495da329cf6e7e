// Karate club: a graph attention network trained in PyTorch (train_karate_gat.py) predicts which club each of
// Zachary's 34 karate club members joined; Attend runs the same two GAT layers from the saved weights and compares
// its logits and accuracy with PyTorch's.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend;
using Attend.Samples.Karate;

string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "weights", "karate_gat.safetensors");
using SafeTensorsFile file = SafeTensors.Open(path);

float[] features = file.ReadFloat32("input.x");
int[] edgeIndex = file.ReadInt64("input.edge_index").Select(v => checked((int)v)).ToArray();
int[] labels = file.ReadInt64("input.labels").Select(v => (int)v).ToArray();
bool[] heldOut = file.ReadBool("input.test_mask");
float[] torchLogits = file.ReadFloat32("output.logits");
double torchHeldOut = double.Parse(file.Metadata["test_accuracy"], CultureInfo.InvariantCulture);
double torchAll = double.Parse(file.Metadata["all_accuracy"], CultureInfo.InvariantCulture);

var model = new KarateClubModel();
model.LoadWeights(file);
// Grouped once by target member; both layers add a self loop per member, so build with addSelfLoops: true.
GraphNeighbourhoods graph = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, KarateClubModel.Members, addSelfLoops: true);
var logits = new float[KarateClubModel.Members * KarateClubModel.Clubs];
model.Forward(features, graph, logits);
int[] predicted = KarateClubModel.Predict(logits);

double Accuracy(Func<int, bool> include)
{
    int[] members = Enumerable.Range(0, KarateClubModel.Members).Where(include).ToArray();
    return members.Count(i => predicted[i] == labels[i]) / (double)members.Length;
}

string[] clubNames = { "Mr. Hi", "Officer" };
Console.WriteLine($"Zachary's karate club: {KarateClubModel.Members} members, {edgeIndex.Length / 2} directed friendships (+ self loops), {heldOut.Count(h => h)} members held out");
Console.WriteLine("member  club       predicted  split");
for (int i = 0; i < KarateClubModel.Members; i++)
{
    string mark = predicted[i] == labels[i] ? "" : "  <- wrong";
    Console.WriteLine($"{i,6}  {clubNames[labels[i]],-9}  {clubNames[predicted[i]],-9}  {(heldOut[i] ? "held out" : "train")}{mark}");
}

double maxDifference = logits.Zip(torchLogits, (a, b) => Math.Abs(a - b)).Max();
Console.WriteLine();
Console.WriteLine($"held-out accuracy: Attend {Accuracy(i => heldOut[i]):P1}   PyTorch {torchHeldOut:P1}");
Console.WriteLine($"all members:       Attend {Accuracy(_ => true):P1}   PyTorch {torchAll:P1}");
Console.WriteLine($"max |logit Attend - PyTorch| = {maxDifference:E2}");
