using System;
using System.Collections.Generic;
using System.Linq;
using System.Collections.Immutable;
using Attend.Generators.Diagnostics;
using Attend.Generators.Emit;
using Attend.Generators.Model;
using Attend.Generators.Parsing;
using Attend.Generators.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Attend.Generators;

/// <summary>
/// Emits the forward passes of layers declared with Attend's attributes. Each attribute kind is one
/// pipeline: parse (attribute → equatable spec + diagnostics) → plan and emit (spec → source); the head shapes of
/// the attention layers are collected across pipelines so each head kernel struct is emitted once. Parse
/// results hold only values, never symbols or syntax, so an edit elsewhere leaves every step cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AttentionGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var mha = Register(context, "Attend.MultiHeadAttentionAttribute", MultiHeadAttentionParser.Parse, MultiHeadAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.MultiHeadAttentionParse, TrackingNames.MultiHeadAttentionDiagnostics, TrackingNames.MultiHeadAttentionSpecs);
        var sdpa = Register(context, "Attend.ScaledDotProductAttentionAttribute", ScaledDotProductAttentionParser.Parse, ScaledDotProductAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ScaledDotProductAttentionParse, TrackingNames.ScaledDotProductAttentionDiagnostics, TrackingNames.ScaledDotProductAttentionSpecs);
        var encoder = Register(context, "Attend.TransformerEncoderAttribute", TransformerEncoderParser.Parse, TransformerEncoderEmitter.Emit,
            s => s.Identity, TrackingNames.TransformerEncoderParse, TrackingNames.TransformerEncoderDiagnostics, TrackingNames.TransformerEncoderSpecs);
        var decoder = Register(context, "Attend.TransformerDecoderAttribute", TransformerDecoderParser.Parse, TransformerDecoderEmitter.Emit,
            s => s.Identity, TrackingNames.TransformerDecoderParse, TrackingNames.TransformerDecoderDiagnostics, TrackingNames.TransformerDecoderSpecs);
        var bert = Register(context, "Attend.BertModelAttribute", BertModelParser.Parse, BertModelEmitter.Emit,
            s => s.Identity, TrackingNames.BertModelParse, TrackingNames.BertModelDiagnostics, TrackingNames.BertModelSpecs);
        var vit = Register(context, "Attend.VisionTransformerAttribute", VisionTransformerParser.Parse, VisionTransformerEmitter.Emit,
            s => s.Identity, TrackingNames.VisionTransformerParse, TrackingNames.VisionTransformerDiagnostics, TrackingNames.VisionTransformerSpecs);
        Register(context, "Attend.SqueezeExcitationAttribute", ChannelAttentionParsers.ParseSqueezeExcitation, SqueezeExcitationEmitter.Emit,
            s => s.Identity, TrackingNames.SqueezeExcitationParse, TrackingNames.SqueezeExcitationDiagnostics, TrackingNames.SqueezeExcitationSpecs);
        Register(context, "Attend.EfficientChannelAttentionAttribute", ChannelAttentionParsers.ParseEfficientChannelAttention, EfficientChannelAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.EfficientChannelAttentionParse, TrackingNames.EfficientChannelAttentionDiagnostics, TrackingNames.EfficientChannelAttentionSpecs);
        Register(context, "Attend.ConvBlockAttentionAttribute", ChannelAttentionParsers.ParseConvBlockAttention, ConvBlockAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ConvBlockAttentionParse, TrackingNames.ConvBlockAttentionDiagnostics, TrackingNames.ConvBlockAttentionSpecs);
        Register(context, "Attend.BottleneckAttentionAttribute", ExternalAttentionParsers.ParseBottleneckAttention, BottleneckAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.BottleneckAttentionParse, TrackingNames.BottleneckAttentionDiagnostics, TrackingNames.BottleneckAttentionSpecs);
        Register(context, "Attend.TripletAttentionAttribute", ExternalAttentionParsers.ParseTripletAttention, TripletAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.TripletAttentionParse, TrackingNames.TripletAttentionDiagnostics, TrackingNames.TripletAttentionSpecs);
        Register(context, "Attend.SelectiveKernelAttentionAttribute", ExternalAttentionParsers.ParseSelectiveKernelAttention, SelectiveKernelAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.SelectiveKernelAttentionParse, TrackingNames.SelectiveKernelAttentionDiagnostics, TrackingNames.SelectiveKernelAttentionSpecs);
        Register(context, "Attend.AttentionAttribute", ScoreAttentionParser.Parse, ScoreAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ScoreAttentionParse, TrackingNames.ScoreAttentionDiagnostics, TrackingNames.ScoreAttentionSpecs);
        Register(context, "Attend.GraphAttentionAttribute", GraphAttentionParser.Parse, GraphAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.GraphAttentionParse, TrackingNames.GraphAttentionDiagnostics, TrackingNames.GraphAttentionSpecs);
        Register(context, "Attend.MemoryHeadsAttribute", MemoryHeadsParser.Parse, MemoryHeadsEmitter.Emit,
            s => s.Identity, TrackingNames.MemoryHeadsParse, TrackingNames.MemoryHeadsDiagnostics, TrackingNames.MemoryHeadsSpecs);
        Register(context, "Attend.NadarayaWatsonAttribute", NadarayaWatsonParser.Parse, NadarayaWatsonEmitter.Emit,
            s => s.Identity, TrackingNames.NadarayaWatsonParse, TrackingNames.NadarayaWatsonDiagnostics, TrackingNames.NadarayaWatsonSpecs);
        Register(context, "Attend.AttentionPoolingAttribute", AttentionPoolingParser.Parse, AttentionPoolingEmitter.Emit,
            s => s.Identity, TrackingNames.AttentionPoolingParse, TrackingNames.AttentionPoolingDiagnostics, TrackingNames.AttentionPoolingSpecs);
        Register(context, "Attend.SimAmAttribute", PointwiseAttentionParsers.ParseSimAm, SimAmEmitter.Emit,
            s => s.Identity, TrackingNames.SimAmParse, TrackingNames.SimAmDiagnostics, TrackingNames.SimAmSpecs);
        Register(context, "Attend.ShuffleAttentionAttribute", PointwiseAttentionParsers.ParseShuffleAttention, ShuffleAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ShuffleAttentionParse, TrackingNames.ShuffleAttentionDiagnostics, TrackingNames.ShuffleAttentionSpecs);
        Register(context, "Attend.CoordinateAttentionAttribute", PointwiseAttentionParsers.ParseCoordinateAttention, CoordinateAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.CoordinateAttentionParse, TrackingNames.CoordinateAttentionDiagnostics, TrackingNames.CoordinateAttentionSpecs);
        Register(context, "Attend.PolarizedSelfAttentionAttribute", PointwiseAttentionParsers.ParsePolarizedSelfAttention, PolarizedSelfAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.PolarizedSelfAttentionParse, TrackingNames.PolarizedSelfAttentionDiagnostics, TrackingNames.PolarizedSelfAttentionSpecs);
        Register(context, "Attend.ExternalAttentionAttribute", PointwiseAttentionParsers.ParseExternalAttention, ExternalAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ExternalAttentionParse, TrackingNames.ExternalAttentionDiagnostics, TrackingNames.ExternalAttentionSpecs);
        Register(context, "Attend.SeparableSelfAttentionAttribute", PointwiseAttentionParsers.ParseSeparableSelfAttention, SeparableSelfAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.SeparableSelfAttentionParse, TrackingNames.SeparableSelfAttentionDiagnostics, TrackingNames.SeparableSelfAttentionSpecs);
        var position = Register(context, "Attend.DanetPositionAttentionAttribute", DualAttentionParsers.ParsePosition, DanetPositionAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.DanetPositionAttentionParse, TrackingNames.DanetPositionAttentionDiagnostics, TrackingNames.DanetPositionAttentionSpecs);
        Register(context, "Attend.DanetChannelAttentionAttribute", DualAttentionParsers.ParseChannel, DanetChannelAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.DanetChannelAttentionParse, TrackingNames.DanetChannelAttentionDiagnostics, TrackingNames.DanetChannelAttentionSpecs);
        Register(context, "Attend.ConvolutionalSelfAttentionAttribute", DualAttentionParsers.ParseConvolutional, ConvolutionalSelfAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ConvolutionalSelfAttentionParse, TrackingNames.ConvolutionalSelfAttentionDiagnostics, TrackingNames.ConvolutionalSelfAttentionSpecs);

        // Every layer kind that runs attention through a head kernel struct contributes its head shape; each distinct
        // shape's struct is emitted once, into Attend.Generated, and every layer of that shape names it.
        IncrementalValueProvider<EquatableArray<HeadShape>> shapes = ShapesOf(mha, HeadShapes.Of)
            .Combine(ShapesOf(sdpa, HeadShapes.Of)).Select(Union)
            .Combine(ShapesOf(encoder, HeadShapes.Of)).Select(Union)
            .Combine(ShapesOf(decoder, HeadShapes.Of)).Select(Union)
            .Combine(ShapesOf(bert, HeadShapes.Of)).Select(Union)
            .Combine(ShapesOf(vit, HeadShapes.Of)).Select(Union)
            .Combine(ShapesOf(position, HeadShapes.Of)).Select(Union)
            .WithTrackingName(TrackingNames.HeadShapes);
        context.RegisterSourceOutput(shapes, static (production, all) =>
        {
            foreach (HeadShape shape in all)
            {
                string source;
                try
                {
                    source = HeadKernelsEmitter.Emit(shape);
                }
                catch (Exception exception)
                {
                    production.ReportDiagnostic(Diagnostic.Create(Descriptors.InternalError, null, HeadKernelsEmitter.StructName(shape), exception.GetType().Name + ": " + exception.Message));
                    continue;
                }

                production.AddSource(HeadKernelsEmitter.HintName(shape), SourceText.From(source, System.Text.Encoding.UTF8));
            }
        });
    }

    /// <summary>The distinct head shapes of one layer kind: value-equal, so an edit that changes no shape stops here.</summary>
    private static IncrementalValueProvider<EquatableArray<HeadShape>> ShapesOf<TSpec>(IncrementalValuesProvider<TSpec> specs, Func<TSpec, HeadShape> shape) =>
        specs.Select((spec, _) => shape(spec)).Collect().Select(static (all, _) => Sorted(all));

    private static EquatableArray<HeadShape> Union((EquatableArray<HeadShape> Left, EquatableArray<HeadShape> Right) pair, System.Threading.CancellationToken _) =>
        Sorted(pair.Left.Concat(pair.Right));

    /// <summary>Distinct and in one order, so the emitted files do not depend on declaration order.</summary>
    private static EquatableArray<HeadShape> Sorted(IEnumerable<HeadShape> shapes) =>
        shapes.Distinct().OrderBy(s => s.DimHead).ThenBy(s => s.ValueDimHead).ToEquatableArray();

    private static IncrementalValuesProvider<TSpec> Register<TSpec>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        Func<GeneratorAttributeSyntaxContext, System.Threading.CancellationToken, ParseResult<TSpec>> parse,
        Func<TSpec, string> emit,
        Func<TSpec, LayerIdentity> identity,
        string parseStep,
        string diagnosticsStep,
        string specsStep)
        where TSpec : class
    {
        // The transform returns a value-equal ParseResult holding nothing from the compilation, so
        // the incremental cache can compare it with the previous run's and skip everything after it.
        IncrementalValuesProvider<ParseResult<TSpec>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(attributeName, static (node, _) => node is TypeDeclarationSyntax, parse)
            .WithTrackingName(parseStep);

        // Diagnostics and source are separate outputs, so a diagnostic change never re-emits source.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(diagnosticsStep);
        context.RegisterSourceOutput(diagnostics, static (production, items) =>
        {
            foreach (DiagnosticInfo item in items) production.ReportDiagnostic(item.ToDiagnostic());
        });

        IncrementalValuesProvider<TSpec> specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(specsStep);
        context.RegisterSourceOutput(specs, (production, spec) =>
        {
            string source;
            try
            {
                source = emit(spec);
            }
            catch (Exception exception)
            {
                // An emitter bug must surface as a diagnostic on the declaration, not as CS8785.
                production.ReportDiagnostic(Diagnostic.Create(Descriptors.InternalError, null, identity(spec).Type.Name, exception.GetType().Name + ": " + exception.Message));
                return;
            }

            production.AddSource(identity(spec).HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });
        return specs;
    }
}
