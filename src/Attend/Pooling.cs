namespace Attend;

/// <summary>How a vision transformer turns its token sequence into one vector for the classifier.</summary>
public enum Pooling
{
    /// <summary>The class token's final state (<c>x[:, 0]</c>, lucidrains <c>pool='cls'</c>).</summary>
    ClassToken = 0,

    /// <summary>The mean over every token, the class token included (lucidrains <c>pool='mean'</c>).</summary>
    Mean = 1,
}
