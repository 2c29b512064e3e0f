//! Grammar field ids.

/// The grammar fields lowering reads, looked up by id (a name lookup compares strings every time).
#[derive(Clone, Copy)]
pub(super) enum F {
    Alias,
    Alternative,
    Arguments,
    Body,
    Condition,
    Consequence,
    Constructor,
    Declaration,
    Function,
    Index,
    Key,
    Left,
    Name,
    Object,
    Operator,
    Parameter,
    Parameters,
    Pattern,
    Property,
    Right,
    Source,
    Value,
}

pub(super) const FIELD_NAMES: [&str; 22] = [
    "alias",
    "alternative",
    "arguments",
    "body",
    "condition",
    "consequence",
    "constructor",
    "declaration",
    "function",
    "index",
    "key",
    "left",
    "name",
    "object",
    "operator",
    "parameter",
    "parameters",
    "pattern",
    "property",
    "right",
    "source",
    "value",
];

/// Field ids of one grammar (TS and TSX number them separately), indexed by [`F`].
pub(super) type FieldIds = [u16; 22];

pub(super) fn field_ids(lang: &tree_sitter::Language) -> FieldIds {
    FIELD_NAMES.map(|n| lang.field_id_for_name(n).map_or(0, |id| id.get()))
}
