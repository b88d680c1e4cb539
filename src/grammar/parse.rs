//! Reads the text format of `grammars/*.grammar` (described in `grammars/README.md`):
//! nom parses each line into fields, then the indentation builds the loop tree.

use std::iter::Peekable;
use std::vec::IntoIter;

use nom::{
    IResult,
    branch::alt,
    bytes::complete::{take_while, take_while1},
    character::complete::{char, digit1, space0, space1},
    combinator::{all_consuming, map, recognize},
    multi::many0_count,
    sequence::{delimited, pair, preceded, separated_pair, terminated, tuple},
};

use super::compiled::{LoopIndex, SegmentChecks, ValueChecks};
use super::error::GrammarError;
use super::model::{DataType, ElementDef, Grammar, Kind, LoopDef, Node, Repeat, SegmentDef, Usage};

/// Parse a grammar text. Blank lines and lines starting with `#` are ignored; indentation
/// is two spaces per level. Errors name the 1-based line and what was wrong there.
pub fn parse_grammar(text: &str) -> Result<Grammar, GrammarError> {
    // A guide has a significant line in about 80 bytes: room for one in 64, so that the
    // list is allocated once.
    let mut lines = Vec::with_capacity(text.len() / 64);
    let mut last_line = 1;
    for (index, raw) in lines_of(text).enumerate() {
        let no = index + 1;
        last_line = no;
        let raw = raw.trim_end();
        let content = raw.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with('\t') {
            return Err(GrammarError::new(no, "indent with spaces, not tabs"));
        }
        let indent = raw.len() - content.len();
        if indent % 2 != 0 {
            return Err(GrammarError::new(
                no,
                format!("indentation must be a multiple of two spaces, found {indent}"),
            ));
        }
        let line = parse_line(content, indent).map_err(|m| GrammarError::new(no, m))?;
        lines.push(Parsed {
            no,
            level: indent / 2,
            line,
        });
    }
    let mut lines = lines.into_iter().peekable();

    let (version, kind, name) = match lines.next() {
        Some(Parsed {
            level: 0,
            line:
                Line::Grammar {
                    version,
                    kind,
                    name,
                },
            no,
        }) => {
            let kind = Kind::from_letter(kind).ok_or_else(|| {
                GrammarError::new(
                    no,
                    format!("unknown kind `{kind}`, expected P, I, 999, 277CA or 835"),
                )
            })?;
            (version.to_string(), kind, name.to_string())
        }
        Some(p) => {
            return Err(GrammarError::new(
                p.no,
                "a grammar starts with an unindented `grammar VERSION KIND \"NAME\"` line",
            ));
        }
        None => return Err(GrammarError::new(last_line, "empty grammar")),
    };
    let root = match lines.next() {
        Some(p @ Parsed { level: 0, .. }) if matches!(p.line, Line::Loop { .. }) => {
            read_loop(&mut lines, p)?
        }
        Some(p) => {
            return Err(GrammarError::new(
                p.no,
                "expected the unindented root `loop` after the `grammar` line",
            ));
        }
        None => return Err(GrammarError::new(last_line, "grammar has no root loop")),
    };
    if let Some(p) = lines.next() {
        return Err(GrammarError::new(
            p.no,
            format!(
                "unexpected `{}` after the root loop: a grammar has one root loop",
                p.line.keyword()
            ),
        ));
    }
    Ok(Grammar {
        version,
        kind,
        name,
        root,
    })
}

/// The lines of `text`, as `str::lines` splits them (on `\n`, a `\r` just before it dropped),
/// found with the `memchr` crate's vector search (`str::lines` searched byte by byte:
/// 9% of loading a guide).
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let line = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(at) => {
                let line = &rest[..at];
                rest = &rest[at + 1..];
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => std::mem::take(&mut rest),
        };
        Some(line)
    })
}

/// A line's attributes (`key=value` after its fields), read pair by pair: the line was
/// checked whole when it was parsed, so reading it again cannot fail. (Collected, each
/// line's list was an allocation; held in place, a copy of 256 bytes per line.)
#[derive(Debug, Clone, Copy)]
struct Attrs<'a>(&'a str);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let (rest, pair) = attr(self.0).ok()?;
        self.0 = rest;
        Some(pair)
    }
}

/// One significant line, its fields still text.
#[derive(Debug)]
enum Line<'a> {
    Grammar {
        version: &'a str,
        kind: &'a str,
        name: &'a str,
    },
    Loop {
        id: &'a str,
        usage: &'a str,
        repeat: &'a str,
        name: &'a str,
    },
    Segment {
        id: &'a str,
        usage: &'a str,
        max_use: &'a str,
        position: &'a str,
        name: &'a str,
        attrs: Attrs<'a>,
    },
    Element {
        reference: &'a str,
        data_type: &'a str,
        min: &'a str,
        max: &'a str,
        usage: &'a str,
        name: &'a str,
        attrs: Attrs<'a>,
    },
    Composite {
        reference: &'a str,
        usage: &'a str,
        name: &'a str,
        attrs: Attrs<'a>,
    },
}

impl Line<'_> {
    fn keyword(&self) -> &'static str {
        match self {
            Line::Grammar { .. } => "grammar",
            Line::Loop { .. } => "loop",
            Line::Segment { .. } => "segment",
            Line::Element { .. } => "element",
            Line::Composite { .. } => "composite",
        }
    }
}

#[derive(Debug)]
struct Parsed<'a> {
    no: usize,
    level: usize,
    line: Line<'a>,
}

type Lines<'a> = Peekable<IntoIter<Parsed<'a>>>;

const SHAPES: [(&str, &str); 5] = [
    ("grammar", "grammar VERSION P|I|999|277CA|835 \"NAME\""),
    ("loop", "loop ID USAGE REPEAT \"NAME\""),
    (
        "segment",
        "segment ID USAGE MAX_USE @POSITION \"NAME\" [syntax=..]",
    ),
    (
        "element",
        "element REF TYPE MIN-MAX USAGE \"NAME\" [de=N] [repeat=N] [codes=A,B] [external=LIST] [regex=RE]",
    ),
    ("composite", "composite REF USAGE \"NAME\" [repeat=N]"),
];

/// Split one line (without its indentation) into fields. The error says which column
/// did not fit and the shape the line should have.
fn parse_line(content: &str, indent: usize) -> Result<Line<'_>, String> {
    let keyword_end = content.find(' ').unwrap_or(content.len());
    let (keyword, rest) = content.split_at(keyword_end);
    let result = match keyword {
        "grammar" => grammar_line(rest),
        "loop" => loop_line(rest),
        "segment" => segment_line(rest),
        "element" => element_line(rest),
        "composite" => composite_line(rest),
        _ => {
            return Err(format!(
                "unknown keyword `{keyword}`, expected grammar, loop, segment, element or composite"
            ));
        }
    };
    result.map(|(_, line)| line).map_err(|e| {
        let remaining = match &e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e.input.len(),
            nom::Err::Incomplete(_) => 0,
        };
        let column = indent + content.len() - remaining + 1;
        let shape = SHAPES
            .iter()
            .find(|(k, _)| *k == keyword)
            .map_or("", |(_, s)| s);
        format!("malformed `{keyword}` line at column {column}, expected `{shape}`")
    })
}

/// A bare field: no spaces, quotes or `=`.
fn word(i: &str) -> IResult<&str, &str> {
    preceded(
        space1,
        take_while1(|c: char| !c.is_whitespace() && c != '"' && c != '='),
    )(i)
}

/// A double-quoted name: its closing quote found by `memchr`'s vector search (names are
/// a third of a guide's text). Without one, the error is at the end of the line, where
/// `char('"')` after the name would fail.
fn quoted(i: &str) -> IResult<&str, &str> {
    let (i, _) = preceded(space1, char('"'))(i)?;
    match memchr::memchr(b'"', i.as_bytes()) {
        Some(at) => Ok((&i[at + 1..], &i[..at])),
        None => Err(nom::Err::Error(nom::error::Error::new(
            &i[i.len()..],
            nom::error::ErrorKind::Char,
        ))),
    }
}

/// An attribute value: bare words and double-quoted items (which may hold spaces, as
/// the 999's `SITUATIONAL TRIGGER` does), separated by commas.
fn attr_value(i: &str) -> IResult<&str, &str> {
    let item = || {
        alt((
            recognize(delimited(
                char('"'),
                take_while1(|c: char| c != '"'),
                char('"'),
            )),
            take_while(|c: char| !c.is_whitespace() && c != ',' && c != '"'),
        ))
    };
    // Items recognised, not collected: a guide has thousands of these.
    recognize(pair(item(), many0_count(preceded(char(','), item()))))(i)
}

/// One ` key=value` attribute.
fn attr(i: &str) -> IResult<&str, (&str, &str)> {
    preceded(
        space1,
        separated_pair(
            take_while1(|c: char| c.is_ascii_lowercase() || c == '_'),
            char('='),
            attr_value,
        ),
    )(i)
}

/// A line's attributes, checked, not collected.
fn attrs(i: &str) -> IResult<&str, Attrs<'_>> {
    map(terminated(recognize(many0_count(attr)), space0), Attrs)(i)
}

fn grammar_line(i: &str) -> IResult<&str, Line<'_>> {
    let (i, (version, kind, name)) =
        all_consuming(terminated(tuple((word, word, quoted)), space0))(i)?;
    Ok((
        i,
        Line::Grammar {
            version,
            kind,
            name,
        },
    ))
}

fn loop_line(i: &str) -> IResult<&str, Line<'_>> {
    let (i, (id, usage, repeat, name)) =
        all_consuming(terminated(tuple((word, word, word, quoted)), space0))(i)?;
    Ok((
        i,
        Line::Loop {
            id,
            usage,
            repeat,
            name,
        },
    ))
}

fn segment_line(i: &str) -> IResult<&str, Line<'_>> {
    let position = preceded(space1, preceded(char('@'), digit1));
    let (i, (id, usage, max_use, position, name, attrs)) =
        all_consuming(tuple((word, word, word, position, quoted, attrs)))(i)?;
    Ok((
        i,
        Line::Segment {
            id,
            usage,
            max_use,
            position,
            name,
            attrs,
        },
    ))
}

fn element_line(i: &str) -> IResult<&str, Line<'_>> {
    let lengths = preceded(space1, separated_pair(digit1, char('-'), digit1));
    let (i, (reference, data_type, (min, max), usage, name, attrs)) =
        all_consuming(tuple((word, word, lengths, word, quoted, attrs)))(i)?;
    Ok((
        i,
        Line::Element {
            reference,
            data_type,
            min,
            max,
            usage,
            name,
            attrs,
        },
    ))
}

fn composite_line(i: &str) -> IResult<&str, Line<'_>> {
    let (i, (reference, usage, name, attrs)) =
        all_consuming(tuple((word, word, quoted, attrs)))(i)?;
    Ok((
        i,
        Line::Composite {
            reference,
            usage,
            name,
            attrs,
        },
    ))
}

fn usage(no: usize, s: &str) -> Result<Usage, GrammarError> {
    Usage::from_code(s)
        .ok_or_else(|| GrammarError::new(no, format!("unknown usage `{s}`, expected R, S or N")))
}

fn repeat(no: usize, s: &str) -> Result<Repeat, GrammarError> {
    if s == ">1" {
        return Ok(Repeat::Unbounded);
    }
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Repeat::Max(n)),
        _ => Err(GrammarError::new(
            no,
            format!("bad repeat `{s}`, expected a number from 1 or >1"),
        )),
    }
}

fn number(no: usize, what: &str, s: &str) -> Result<u32, GrammarError> {
    s.parse::<u32>()
        .map_err(|_| GrammarError::new(no, format!("{what} `{s}` is not a number")))
}

/// Where children must be indented relative to their parent, and what to say otherwise.
fn check_depth(p: &Parsed<'_>, level: usize, holder: &str) -> Result<(), GrammarError> {
    if p.level > level + 1 {
        return Err(GrammarError::new(
            p.no,
            format!(
                "indented too deep: children of a {holder} are indented {} spaces",
                (level + 1) * 2
            ),
        ));
    }
    Ok(())
}

fn read_loop(lines: &mut Lines<'_>, head: Parsed<'_>) -> Result<LoopDef, GrammarError> {
    let Line::Loop {
        id,
        usage: u,
        repeat: r,
        name,
    } = head.line
    else {
        return Err(GrammarError::new(head.no, "expected a `loop` line"));
    };
    let mut children = Vec::new();
    while let Some(p) = lines.next_if(|p| p.level > head.level) {
        check_depth(&p, head.level, "loop")?;
        match p.line {
            Line::Loop { .. } => children.push(Node::Loop(read_loop(lines, p)?)),
            Line::Segment { .. } => children.push(Node::Segment(read_segment(lines, p)?)),
            _ => {
                return Err(GrammarError::new(
                    p.no,
                    format!(
                        "a loop holds segments and loops, not `{}`",
                        p.line.keyword()
                    ),
                ));
            }
        }
    }
    if !matches!(children.first(), Some(Node::Segment(_))) {
        return Err(GrammarError::new(
            head.no,
            format!("loop {id} must start with a segment, its trigger"),
        ));
    }
    Ok(LoopDef {
        id: id.to_string(),
        name: name.to_string(),
        usage: usage(head.no, u)?,
        repeat: repeat(head.no, r)?,
        compiled: LoopIndex::new(&children),
        children,
    })
}

fn read_segment(lines: &mut Lines<'_>, head: Parsed<'_>) -> Result<SegmentDef, GrammarError> {
    let Line::Segment {
        id,
        usage: u,
        max_use,
        position,
        name,
        attrs,
    } = head.line
    else {
        return Err(GrammarError::new(head.no, "expected a `segment` line"));
    };
    let mut syntax = Vec::new();
    for (key, value) in attrs {
        match key {
            "syntax" => syntax = list(head.no, key, value)?,
            _ => return Err(unknown_attr(head.no, "segment", key)),
        }
    }
    let mut elements: Vec<ElementDef> = Vec::new();
    while let Some(p) = lines.next_if(|p| p.level > head.level) {
        check_depth(&p, head.level, "segment")?;
        let no = p.no;
        let e = match p.line {
            Line::Element { .. } => read_element(p, id)?,
            Line::Composite { .. } => read_composite(lines, p, id)?,
            _ => {
                return Err(GrammarError::new(
                    p.no,
                    format!(
                        "a segment holds elements and composites, not `{}`",
                        p.line.keyword()
                    ),
                ));
            }
        };
        check_order(no, elements.last(), &e)?;
        elements.push(e);
    }
    let mut s = SegmentDef {
        id: id.to_string(),
        name: name.to_string(),
        usage: usage(head.no, u)?,
        max_use: repeat(head.no, max_use)?,
        position: number(head.no, "position", position)?,
        syntax,
        elements,
        compiled: SegmentChecks::default(),
    };
    s.compiled = SegmentChecks::new(&s);
    Ok(s)
}

fn read_composite(
    lines: &mut Lines<'_>,
    head: Parsed<'_>,
    segment: &str,
) -> Result<ElementDef, GrammarError> {
    let Line::Composite {
        reference,
        usage: u,
        name,
        attrs,
    } = head.line
    else {
        return Err(GrammarError::new(head.no, "expected a `composite` line"));
    };
    let position = position_in(head.no, reference, segment, "")?;
    let mut rep = 1;
    for (key, value) in attrs {
        match key {
            "repeat" => rep = repeat_count(head.no, value)?,
            _ => return Err(unknown_attr(head.no, "composite", key)),
        }
    }
    let mut components: Vec<ElementDef> = Vec::new();
    while let Some(p) = lines.next_if(|p| p.level > head.level) {
        check_depth(&p, head.level, "composite")?;
        if !matches!(p.line, Line::Element { .. }) {
            return Err(GrammarError::new(
                p.no,
                format!("a composite holds elements, not `{}`", p.line.keyword()),
            ));
        }
        let no = p.no;
        let c = read_component(p, reference)?;
        check_order(no, components.last(), &c)?;
        components.push(c);
    }
    let usage = usage(head.no, u)?;
    // pyx12 lists no components for some composites the guides do not use (REF04, HI02..);
    // a used composite without them could not be validated.
    if components.is_empty() && usage != Usage::NotUsed {
        return Err(GrammarError::new(
            head.no,
            format!("composite {reference} has no components"),
        ));
    }
    Ok(ElementDef {
        reference: reference.to_string(),
        position,
        name: name.to_string(),
        data_type: DataType::Composite,
        min_len: 0,
        max_len: 0,
        usage,
        repeat: rep,
        data_element: None,
        codes: Vec::new(),
        external: None,
        regex: None,
        components,
        compiled: ValueChecks::default(),
    })
}

fn read_element(p: Parsed<'_>, segment: &str) -> Result<ElementDef, GrammarError> {
    simple_element(p, segment, "")
}

fn read_component(p: Parsed<'_>, composite: &str) -> Result<ElementDef, GrammarError> {
    simple_element(p, composite, "-")
}

fn simple_element(p: Parsed<'_>, parent: &str, sep: &str) -> Result<ElementDef, GrammarError> {
    let no = p.no;
    let Line::Element {
        reference,
        data_type,
        min,
        max,
        usage: u,
        name,
        attrs,
    } = p.line
    else {
        return Err(GrammarError::new(no, "expected an `element` line"));
    };
    let position = position_in(no, reference, parent, sep)?;
    let data_type = DataType::from_code(data_type).ok_or_else(|| {
        GrammarError::new(
            no,
            format!("unknown data type `{data_type}`, expected AN, ID, N0..N9, R, DT, TM or B"),
        )
    })?;
    let (min_len, max_len) = (
        number(no, "minimum length", min)?,
        number(no, "maximum length", max)?,
    );
    if max_len == 0 || min_len > max_len {
        return Err(GrammarError::new(
            no,
            format!("bad lengths {min_len}-{max_len} for {reference}"),
        ));
    }
    let mut e = ElementDef {
        reference: reference.to_string(),
        position,
        name: name.to_string(),
        data_type,
        min_len,
        max_len,
        usage: usage(no, u)?,
        repeat: 1,
        data_element: None,
        codes: Vec::new(),
        external: None,
        regex: None,
        components: Vec::new(),
        compiled: ValueChecks::default(),
    };
    for (key, value) in attrs {
        match key {
            "repeat" => e.repeat = repeat_count(no, value)?,
            "de" => {
                let n = value.parse::<u16>().map_err(|_| {
                    GrammarError::new(no, format!("data element `{value}` is not a number"))
                })?;
                e.data_element = Some(n);
            }
            "codes" => e.codes = list(no, key, value)?,
            "external" => e.external = Some(value.to_string()),
            "regex" => e.regex = Some(value.to_string()),
            _ => return Err(unknown_attr(no, "element", key)),
        }
    }
    e.compiled = ValueChecks::new(&e);
    Ok(e)
}

/// `NM101` in `NM1` is position 1; `CLM05-02` in `CLM05` is position 2.
fn position_in(no: usize, reference: &str, parent: &str, sep: &str) -> Result<usize, GrammarError> {
    reference
        .strip_prefix(parent)
        .and_then(|r| r.strip_prefix(sep))
        .filter(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            GrammarError::new(
                no,
                format!("reference `{reference}` should be {parent}{sep}NN (NN from 01)"),
            )
        })
}

/// Elements are listed by increasing position, each at most once.
fn check_order(no: usize, before: Option<&ElementDef>, e: &ElementDef) -> Result<(), GrammarError> {
    match before {
        Some(b) if e.position <= b.position => Err(GrammarError::new(
            no,
            format!("{} comes after {}: out of order", e.reference, b.reference),
        )),
        _ => Ok(()),
    }
}

fn repeat_count(no: usize, s: &str) -> Result<u32, GrammarError> {
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(GrammarError::new(
            no,
            format!("bad repeat `{s}`, expected a number from 1"),
        )),
    }
}

/// The items of a list attribute; a double-quoted item loses its quotes.
fn list(no: usize, key: &str, value: &str) -> Result<Vec<String>, GrammarError> {
    let mut items: Vec<String> = Vec::new();
    let mut rest = value;
    loop {
        let (item, after) = match rest.strip_prefix('"') {
            Some(q) => q.split_once('"').unwrap_or((q, "")),
            None => rest.find(',').map_or((rest, ""), |at| rest.split_at(at)),
        };
        items.push(item.to_string());
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None if after.is_empty() => break,
            None => {
                return Err(GrammarError::new(
                    no,
                    format!("text after a quoted item in `{key}={value}`"),
                ));
            }
        }
    }
    if items.iter().any(String::is_empty) {
        return Err(GrammarError::new(
            no,
            format!("empty item in `{key}={value}`"),
        ));
    }
    Ok(items)
}

fn unknown_attr(no: usize, line: &str, key: &str) -> GrammarError {
    GrammarError::new(no, format!("unknown attribute `{key}` on a {line} line"))
}

#[cfg(test)]
#[rustfmt::skip::macros(rejects)]
mod tests {
    use super::*;

    const SMALL: &str = r#"# a comment
grammar 005010X222A1 P "Test"

loop ST_LOOP R >1 "Transaction Set Header"
  segment ST R 1 @0050 "Transaction Set Header"
    element ST01 ID 3-3 R "Transaction Set Identifier Code" codes=837
  loop 2010AA R 1 "Billing Provider Name"
    segment NM1 R 1 @0150 "Billing Provider Name" syntax=P0809,C1110
      element NM101 ID 2-3 R "Entity Identifier Code" codes=85
      element NM103 AN 1-60 R "Name"
    segment DMG S 1 @0320 "Demographics"
      element DMG01 ID 2-3 R "Format" codes=D8
      composite DMG05 N "Race" repeat=10
        element DMG05-01 ID 1-2 R "Qualifier" codes=RET
        element DMG05-02 AN 1-30 S "Code" external=race
  segment SE R 1 @5550 "Transaction Set Trailer"
    element SE01 N0 1-10 R "Count"
"#;

    #[test]
    fn parses_a_small_grammar() {
        let g = parse_grammar(SMALL).expect("parses");
        assert_eq!(g.version, "005010X222A1");
        assert_eq!(g.kind, Kind::Professional);
        assert_eq!(g.root.id, "ST_LOOP");
        assert_eq!(g.root.repeat, Repeat::Unbounded);
        assert_eq!(g.root.trigger().id, "ST");
        let l = g.find_loop("2010AA").expect("2010AA");
        let nm1 = l.trigger();
        assert_eq!(nm1.syntax, ["P0809", "C1110"]);
        assert_eq!(nm1.qualifier(), Some((1, &["85".to_string()][..])));
        assert_eq!(nm1.element(3).map(|e| e.max_len), Some(60));
        assert_eq!(nm1.element(2), None);
        let dmg05 = l
            .segments()
            .nth(1)
            .and_then(|s| s.element(5))
            .expect("DMG05");
        assert!(dmg05.is_composite());
        assert_eq!(dmg05.repeat, 10);
        assert_eq!(dmg05.usage, Usage::NotUsed);
        assert_eq!(
            dmg05.component(2).and_then(|c| c.external.as_deref()),
            Some("race")
        );
        assert!(matches!(g.root.children.last(), Some(Node::Segment(s)) if s.id == "SE"));
    }

    #[test]
    fn lines_split_as_str_lines_does() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb\r",
            "\r\n\r\n",
            "a\n\nb",
            "\r",
            "a\rb\n",
            "é\n\u{2028}x",
        ] {
            let ours: Vec<&str> = lines_of(text).collect();
            assert_eq!(ours, text.lines().collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn accepts_crlf_and_trailing_spaces() {
        let text = SMALL.replace('\n', "  \r\n");
        assert_eq!(parse_grammar(&text), parse_grammar(SMALL));
    }

    /// `rejects!(name, text, line, fragment)`: the text fails at `line` with a message
    /// containing `fragment`.
    macro_rules! rejects {
        ($name:ident, $text:expr, $line:expr, $fragment:expr) => {
            #[test]
            fn $name() {
                let err = parse_grammar($text).expect_err("should be rejected");
                assert_eq!(err.line, $line, "{err}");
                assert!(err.message.contains($fragment), "{err}");
            }
        };
    }

    const HEAD: &str = "grammar V P \"G\"\nloop L R 1 \"L\"\n";

    rejects!(empty, "", 1, "empty grammar");
    rejects!(no_header, "loop L R 1 \"L\"\n", 1, "starts with");
    rejects!(no_root, "grammar V P \"G\"\n", 1, "no root loop");
    rejects!(bad_kind, "grammar V X \"G\"\n", 1, "unknown kind `X`");
    rejects!(unknown_keyword, &format!("{HEAD}  segmnt ST R 1 @1 \"S\"\n"), 3, "unknown keyword `segmnt`");
    rejects!(odd_indent, &format!("{HEAD}   segment ST R 1 @1 \"S\"\n"), 3, "multiple of two");
    rejects!(tab_indent, &format!("{HEAD}\tsegment ST R 1 @1 \"S\"\n"), 3, "tabs");
    rejects!(missing_position, &format!("{HEAD}  segment ST R 1 \"S\"\n"), 3, "column 18");
    rejects!(unclosed_name, &format!("{HEAD}  segment ST R 1 @1 \"S\n"), 3, "malformed `segment`");
    rejects!(unclosed_name_at_its_end, &format!("{HEAD}  segment ST R 1 @1 \"S T\n"), 3, "line at column 25");
    rejects!(bad_usage, &format!("{HEAD}  segment ST X 1 @1 \"S\"\n"), 3, "unknown usage `X`");
    rejects!(bad_repeat, "grammar V P \"G\"\nloop L R many \"L\"\n  segment ST R 1 @1 \"S\"\n", 2, "bad repeat `many`");
    rejects!(zero_max_use, &format!("{HEAD}  segment ST R 0 @1 \"S\"\n"), 3, "bad repeat `0`");
    rejects!(loop_without_trigger, "grammar V P \"G\"\nloop L R 1 \"L\"\n  loop M R 1 \"M\"\n    segment NM1 R 1 @1 \"N\"\n", 2, "must start with a segment");
    rejects!(empty_loop, &format!("{HEAD}\n"), 2, "must start with a segment");
    rejects!(too_deep, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n      element ST01 AN 1-2 R \"E\"\n"), 4, "indented too deep");
    rejects!(element_in_loop, &format!("{HEAD}  element ST01 AN 1-2 R \"E\"\n"), 3, "a loop holds segments and loops");
    rejects!(wrong_reference, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element SE01 AN 1-2 R \"E\"\n"), 4, "should be STNN");
    rejects!(out_of_order, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST02 AN 1-2 R \"E\"\n    element ST01 AN 1-2 R \"E\"\n"), 5, "out of order");
    rejects!(bad_type, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 XX 1-2 R \"E\"\n"), 4, "unknown data type `XX`");
    rejects!(bad_lengths, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 AN 5-2 R \"E\"\n"), 4, "bad lengths 5-2");
    rejects!(unknown_attribute, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 AN 1-2 R \"E\" colour=red\n"), 4, "unknown attribute `colour`");
    rejects!(empty_code, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 ID 1-2 R \"E\" codes=A,,B\n"), 4, "empty item");
    rejects!(empty_composite, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    composite ST01 R \"C\"\n"), 4, "has no components");
    rejects!(wrong_component, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    composite ST01 R \"C\"\n      element ST02-01 AN 1-2 R \"E\"\n"), 5, "should be ST01-NN");
    rejects!(open_quote, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 ID 1-2 R \"E\" codes=\"A B\n"), 4, "malformed");
    rejects!(text_after_quote, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 ID 1-2 R \"E\" codes=\"A B\"C\n"), 4, "malformed");
    rejects!(bad_data_element, &format!("{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 ID 1-2 R \"E\" de=C022\n"), 4, "data element `C022`");
    rejects!(two_roots, &format!("{HEAD}  segment ST R 1 @1 \"S\"\nloop M R 1 \"M\"\n"), 4, "one root loop");

    #[test]
    fn quoted_codes_and_data_elements() {
        let text = format!(
            "{HEAD}  segment ST R 1 @1 \"S\"\n    element ST01 ID 1-35 R \"E\" de=9999 codes=\"SITUATIONAL TRIGGER\",CLM01,\"PATIENT NAME NM109\"\n"
        );
        let g = parse_grammar(&text).expect("parses");
        let e = g.root.trigger().element(1).expect("ST01");
        assert_eq!(
            e.codes,
            ["SITUATIONAL TRIGGER", "CLM01", "PATIENT NAME NM109"]
        );
        assert_eq!(e.data_element, Some(9999));
        assert!(e.compiled.codes.contains(b"SITUATIONAL TRIGGER"));
        for kind in ["P", "I", "999", "277CA", "835"] {
            let g = parse_grammar(&format!(
                "grammar V {kind} \"G\"\nloop L R 1 \"L\"\n  segment ST R 1 @1 \"S\"\n"
            ))
            .expect(kind);
            assert_eq!(g.kind.letter(), kind);
        }
    }

    #[test]
    fn unused_composite_may_be_empty() {
        let text = format!("{HEAD}  segment ST R 1 @1 \"S\"\n    composite ST01 N \"C\"\n");
        let g = parse_grammar(&text).expect("parses");
        let st01 = g.root.trigger().element(1).expect("ST01");
        assert!(st01.is_composite());
        assert!(st01.components.is_empty());
    }
}
