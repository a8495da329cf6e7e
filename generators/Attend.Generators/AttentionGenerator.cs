using System.Collections.Immutable;
using Attend.Generators.Emit;
using Attend.Generators.Parsing;
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
        var mha = RegisterPlanned(context, "Attend.MultiHeadAttentionAttribute", MultiHeadAttentionParser.Read, AttentionLayerPlanner.Plan, MultiHeadAttentionEmitter.Emit,
            TrackingNames.MultiHeadAttentionParse, TrackingNames.MultiHeadAttentionDiagnostics, TrackingNames.MultiHeadAttentionSpecs, TrackingNames.MultiHeadAttentionPlan);
        var sdpa = RegisterPlanned(context, "Attend.ScaledDotProductAttentionAttribute", ScaledDotProductAttentionParser.Read, AttentionLayerPlanner.Plan, ScaledDotProductAttentionEmitter.Emit,
            TrackingNames.ScaledDotProductAttentionParse, TrackingNames.ScaledDotProductAttentionDiagnostics, TrackingNames.ScaledDotProductAttentionSpecs, TrackingNames.ScaledDotProductAttentionPlan);
        var encoder = RegisterPlanned(context, "Attend.TransformerEncoderAttribute", TransformerEncoderParser.Read, AttentionLayerPlanner.Plan, TransformerEncoderEmitter.Emit,
            TrackingNames.TransformerEncoderParse, TrackingNames.TransformerEncoderDiagnostics, TrackingNames.TransformerEncoderSpecs, TrackingNames.TransformerEncoderPlan);
        var decoder = RegisterPlanned(context, "Attend.TransformerDecoderAttribute", TransformerDecoderParser.Read, AttentionLayerPlanner.Plan, TransformerDecoderEmitter.Emit,
            TrackingNames.TransformerDecoderParse, TrackingNames.TransformerDecoderDiagnostics, TrackingNames.TransformerDecoderSpecs, TrackingNames.TransformerDecoderPlan);
        var bert = RegisterPlanned(context, "Attend.BertModelAttribute", BertModelParser.Read, AttentionLayerPlanner.Plan, BertModelEmitter.Emit,
            TrackingNames.BertModelParse, TrackingNames.BertModelDiagnostics, TrackingNames.BertModelSpecs, TrackingNames.BertModelPlan);
        var vit = RegisterPlanned(context, "Attend.VisionTransformerAttribute", VisionTransformerParser.Read, AttentionLayerPlanner.Plan, VisionTransformerEmitter.Emit,
            TrackingNames.VisionTransformerParse, TrackingNames.VisionTransformerDiagnostics, TrackingNames.VisionTransformerSpecs, TrackingNames.VisionTransformerPlan);
        RegisterPlanned(context, "Attend.SqueezeExcitationAttribute", ChannelAttentionParsers.ReadSqueezeExcitation, ChannelLayerPlanner.Plan, SqueezeExcitationEmitter.Emit,
            TrackingNames.SqueezeExcitationParse, TrackingNames.SqueezeExcitationDiagnostics, TrackingNames.SqueezeExcitationSpecs, TrackingNames.SqueezeExcitationPlan);
        RegisterPlanned(context, "Attend.EfficientChannelAttentionAttribute", ChannelAttentionParsers.ReadEfficientChannelAttention, ChannelLayerPlanner.Plan, EfficientChannelAttentionEmitter.Emit,
            TrackingNames.EfficientChannelAttentionParse, TrackingNames.EfficientChannelAttentionDiagnostics, TrackingNames.EfficientChannelAttentionSpecs, TrackingNames.EfficientChannelAttentionPlan);
        RegisterPlanned(context, "Attend.ConvBlockAttentionAttribute", ChannelAttentionParsers.ReadConvBlockAttention, ChannelLayerPlanner.Plan, ConvBlockAttentionEmitter.Emit,
            TrackingNames.ConvBlockAttentionParse, TrackingNames.ConvBlockAttentionDiagnostics, TrackingNames.ConvBlockAttentionSpecs, TrackingNames.ConvBlockAttentionPlan);
        Register(context, "Attend.BottleneckAttentionAttribute", ExternalAttentionParsers.ReadBottleneckAttention, BottleneckAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.BottleneckAttentionParse, TrackingNames.BottleneckAttentionDiagnostics, TrackingNames.BottleneckAttentionSpecs);
        Register(context, "Attend.TripletAttentionAttribute", ExternalAttentionParsers.ReadTripletAttention, TripletAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.TripletAttentionParse, TrackingNames.TripletAttentionDiagnostics, TrackingNames.TripletAttentionSpecs);
        RegisterPlanned(context, "Attend.SelectiveKernelAttentionAttribute", ExternalAttentionParsers.ReadSelectiveKernelAttention, FeatureMapLayerPlanner.Plan, SelectiveKernelAttentionEmitter.Emit,
            TrackingNames.SelectiveKernelAttentionParse, TrackingNames.SelectiveKernelAttentionDiagnostics, TrackingNames.SelectiveKernelAttentionSpecs, TrackingNames.SelectiveKernelAttentionPlan);
        RegisterPlanned(context, "Attend.AttentionAttribute", ScoreAttentionParser.Read, ScoreAttentionPlanner.Plan, ScoreAttentionEmitter.Emit,
            TrackingNames.ScoreAttentionParse, TrackingNames.ScoreAttentionDiagnostics, TrackingNames.ScoreAttentionSpecs, TrackingNames.ScoreAttentionPlan);
        RegisterPlanned(context, "Attend.GraphAttentionAttribute", GraphAttentionParser.Read, RowLayerPlanner.Plan, GraphAttentionEmitter.Emit,
            TrackingNames.GraphAttentionParse, TrackingNames.GraphAttentionDiagnostics, TrackingNames.GraphAttentionSpecs, TrackingNames.GraphAttentionPlan);
        RegisterPlanned(context, "Attend.MemoryHeadsAttribute", MemoryHeadsParser.Read, RowLayerPlanner.Plan, MemoryHeadsEmitter.Emit,
            TrackingNames.MemoryHeadsParse, TrackingNames.MemoryHeadsDiagnostics, TrackingNames.MemoryHeadsSpecs, TrackingNames.MemoryHeadsPlan);
        RegisterPlanned(context, "Attend.NadarayaWatsonAttribute", NadarayaWatsonParser.Read, RowLayerPlanner.Plan, NadarayaWatsonEmitter.Emit,
            TrackingNames.NadarayaWatsonParse, TrackingNames.NadarayaWatsonDiagnostics, TrackingNames.NadarayaWatsonSpecs, TrackingNames.NadarayaWatsonPlan);
        RegisterPlanned(context, "Attend.AttentionPoolingAttribute", AttentionPoolingParser.Read, RowLayerPlanner.Plan, AttentionPoolingEmitter.Emit,
            TrackingNames.AttentionPoolingParse, TrackingNames.AttentionPoolingDiagnostics, TrackingNames.AttentionPoolingSpecs, TrackingNames.AttentionPoolingPlan);
        Register(context, "Attend.SimAmAttribute", PointwiseAttentionParsers.ReadSimAm, SimAmEmitter.Emit,
            s => s.Identity, TrackingNames.SimAmParse, TrackingNames.SimAmDiagnostics, TrackingNames.SimAmSpecs);
        RegisterPlanned(context, "Attend.ShuffleAttentionAttribute", PointwiseAttentionParsers.ReadShuffleAttention, FeatureMapLayerPlanner.Plan, ShuffleAttentionEmitter.Emit,
            TrackingNames.ShuffleAttentionParse, TrackingNames.ShuffleAttentionDiagnostics, TrackingNames.ShuffleAttentionSpecs, TrackingNames.ShuffleAttentionPlan);
        Register(context, "Attend.CoordinateAttentionAttribute", PointwiseAttentionParsers.ReadCoordinateAttention, CoordinateAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.CoordinateAttentionParse, TrackingNames.CoordinateAttentionDiagnostics, TrackingNames.CoordinateAttentionSpecs);
        RegisterPlanned(context, "Attend.PolarizedSelfAttentionAttribute", PointwiseAttentionParsers.ReadPolarizedSelfAttention, FeatureMapLayerPlanner.Plan, PolarizedSelfAttentionEmitter.Emit,
            TrackingNames.PolarizedSelfAttentionParse, TrackingNames.PolarizedSelfAttentionDiagnostics, TrackingNames.PolarizedSelfAttentionSpecs, TrackingNames.PolarizedSelfAttentionPlan);
        Register(context, "Attend.ExternalAttentionAttribute", PointwiseAttentionParsers.ReadExternalAttention, ExternalAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.ExternalAttentionParse, TrackingNames.ExternalAttentionDiagnostics, TrackingNames.ExternalAttentionSpecs);
        Register(context, "Attend.SeparableSelfAttentionAttribute", PointwiseAttentionParsers.ReadSeparableSelfAttention, SeparableSelfAttentionEmitter.Emit,
            s => s.Identity, TrackingNames.SeparableSelfAttentionParse, TrackingNames.SeparableSelfAttentionDiagnostics, TrackingNames.SeparableSelfAttentionSpecs);
        var position = RegisterPlanned(context, "Attend.DanetPositionAttentionAttribute", DualAttentionParsers.ReadPosition, AttentionLayerPlanner.Plan, DanetPositionAttentionEmitter.Emit,
            TrackingNames.DanetPositionAttentionParse, TrackingNames.DanetPositionAttentionDiagnostics, TrackingNames.DanetPositionAttentionSpecs, TrackingNames.DanetPositionAttentionPlan);
        RegisterPlanned(context, "Attend.DanetChannelAttentionAttribute", DualAttentionParsers.ReadChannel, DualAttentionPlanner.Plan, DanetChannelAttentionEmitter.Emit,
            TrackingNames.DanetChannelAttentionParse, TrackingNames.DanetChannelAttentionDiagnostics, TrackingNames.DanetChannelAttentionSpecs, TrackingNames.DanetChannelAttentionPlan);
        RegisterPlanned(context, "Attend.ConvolutionalSelfAttentionAttribute", DualAttentionParsers.ReadConvolutional, DualAttentionPlanner.Plan, ConvolutionalSelfAttentionEmitter.Emit,
            TrackingNames.ConvolutionalSelfAttentionParse, TrackingNames.ConvolutionalSelfAttentionDiagnostics, TrackingNames.ConvolutionalSelfAttentionSpecs, TrackingNames.ConvolutionalSelfAttentionPlan);

        // Every layer kind that runs attention through a head kernel struct contributes its head shape; each distinct
        // shape's struct is emitted once, into Attend.Generated, and every layer of that shape names it.
        IncrementalValueProvider<EquatableArray<HeadShape>> shapes = ShapesOf(mha)
            .Combine(ShapesOf(sdpa)).Select(Union)
            .Combine(ShapesOf(encoder)).Select(Union)
            .Combine(ShapesOf(decoder)).Select(Union)
            .Combine(ShapesOf(bert)).Select(Union)
            .Combine(ShapesOf(vit)).Select(Union)
            .Combine(ShapesOf(position)).Select(Union)
            .WithTrackingName(TrackingNames.HeadShapes);
        IncrementalValueProvider<EquatableArray<HeadStructPlan>> structs = shapes
            .Select(static (all, _) => all.Select(HeadKernelPlanner.PlanStruct).ToEquatableArray())
            .WithTrackingName(TrackingNames.HeadStructPlans);
        context.RegisterSourceOutput(structs, static (production, all) =>
        {
            foreach (HeadStructPlan plan in all)
            {
                string source;
                try
                {
                    source = HeadKernelsEmitter.Emit(plan);
                }
                catch (Exception exception)
                {
                    production.ReportDiagnostic(Diagnostic.Create(Descriptors.InternalError, null, HeadKernelsEmitter.StructName(plan.Shape), exception.GetType().Name + ": " + exception.Message));
                    continue;
                }

                production.AddSource(HeadKernelsEmitter.HintName(plan.Shape), SourceText.From(source, System.Text.Encoding.UTF8));
            }
        });
    }

    /// <summary>The distinct head shapes of one layer kind: value-equal, so an edit that changes no shape stops here.</summary>
    private static IncrementalValueProvider<EquatableArray<HeadShape>> ShapesOf<TPlan>(IncrementalValuesProvider<TPlan> plans)
        where TPlan : IHeadLayerPlan =>
        plans.Select(static (plan, _) => plan.Shape).Collect().Select(static (all, _) => Sorted(all));

    private static EquatableArray<HeadShape> Union((EquatableArray<HeadShape> Left, EquatableArray<HeadShape> Right) pair, System.Threading.CancellationToken _) =>
        Sorted(pair.Left.Concat(pair.Right));

    /// <summary>Distinct and in one order, so the emitted files do not depend on declaration order.</summary>
    private static EquatableArray<HeadShape> Sorted(IEnumerable<HeadShape> shapes) =>
        shapes.Distinct().OrderBy(s => s.DimHead).ThenBy(s => s.ValueDimHead).ToEquatableArray();

    /// <summary>A layer kind whose emitter still plans for itself: parse → emit.</summary>
    private static IncrementalValuesProvider<TSpec> Register<TSpec>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        Func<DeclarationReader, LayerIdentity?, TSpec?> read,
        Func<TSpec, string> emit,
        Func<TSpec, LayerIdentity> identity,
        string parseStep,
        string diagnosticsStep,
        string specsStep)
        where TSpec : class
    {
        IncrementalValuesProvider<TSpec> specs = Parse(context, attributeName, read, parseStep, diagnosticsStep, specsStep);
        EmitEach(context, specs, emit, identity);
        return specs;
    }

    /// <summary>
    /// A planned layer kind: parse → plan → emit. The plan is a step of its own (value-equal), so an edit
    /// that leaves the plan equal stops there, and the emitter turns a finished plan into text.
    /// </summary>
    private static IncrementalValuesProvider<TPlan> RegisterPlanned<TSpec, TPlan>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        Func<DeclarationReader, LayerIdentity?, TSpec?> read,
        Func<TSpec, TPlan> plan,
        Func<TPlan, string> emit,
        string parseStep,
        string diagnosticsStep,
        string specsStep,
        string planStep)
        where TSpec : class
        where TPlan : class, ILayerPlan
    {
        IncrementalValuesProvider<TPlan> plans = Parse(context, attributeName, read, parseStep, diagnosticsStep, specsStep)
            .Select((spec, _) => plan(spec))
            .WithTrackingName(planStep);
        EmitEach(context, plans, emit, static p => p.Identity);
        return plans;
    }

    private static IncrementalValuesProvider<TSpec> Parse<TSpec>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        Func<DeclarationReader, LayerIdentity?, TSpec?> read,
        string parseStep,
        string diagnosticsStep,
        string specsStep)
        where TSpec : class
    {
        // The transform returns a value-equal ParseResult holding nothing from the compilation, so
        // the incremental cache can compare it with the previous run's and skip everything after it.
        IncrementalValuesProvider<ParseResult<TSpec>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(attributeName, static (node, _) => node is TypeDeclarationSyntax, (syntax, cancellationToken) => OptionChecks.Parse(syntax, cancellationToken, read))
            .WithTrackingName(parseStep);

        // Diagnostics and source are separate outputs, so a diagnostic change never re-emits source.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(diagnosticsStep);
        context.RegisterSourceOutput(diagnostics, static (production, items) =>
        {
            foreach (DiagnosticInfo item in items) production.ReportDiagnostic(item.ToDiagnostic());
        });

        return parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(specsStep);
    }

    /// <summary>One source file per item; an emitter bug becomes a diagnostic on the declaration, not CS8785.</summary>
    private static void EmitEach<T>(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<T> items, Func<T, string> emit, Func<T, LayerIdentity> identity)
    {
        context.RegisterSourceOutput(items, (production, item) =>
        {
            string source;
            try
            {
                source = emit(item);
            }
            catch (Exception exception)
            {
                production.ReportDiagnostic(Diagnostic.Create(Descriptors.InternalError, null, identity(item).Type.Name, exception.GetType().Name + ": " + exception.Message));
                return;
            }

            production.AddSource(identity(item).HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        });
    }
}
