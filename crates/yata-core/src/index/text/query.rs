//! Translation of a [`TextQuery`] into a tantivy query over the index's text fields.
//!
//! The query text goes through the same [`analyze`] as the indexed text, and
//! each identifier or CJK run of it becomes one required clause:
//!
//! - An identifier matches when its whole-identifier token matches, or when
//!   every one of its parts matches. So `getUserById` finds `get_user_by_id`
//!   (through the parts) and `getuserbyid` (through the whole token), and the
//!   whole-token match adds to the score of exact spellings.
//! - A CJK run of two or more characters is a phrase of its bigrams, so it
//!   matches where the run occurs as a substring. A single CJK character
//!   matches every indexed token that starts with it, and every character of
//!   an indexed run starts a bigram or is the run's tail token.
//! - A token matches when it occurs in any of the fields. Each field's match is
//!   scored by BM25 and multiplied by the field's boost, and the field scores add up.
//!
//! Text between double quotes is a phrase: its parts and bigrams must occur at
//! consecutive positions in one field. An opening quote without a closing
//! one makes the rest of the text a phrase. Fuzzy and prefix matching do not
//! apply inside phrases.

use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use super::tokenizer::{analyze, CodeToken, TokenKind};
use crate::error::{Error, Result};

/// Score of a fuzzy or prefix match, before the field boost. tantivy scores
/// such matches with a constant, and keeping it below a typical BM25 term
/// score ranks exact matches above near ones.
const APPROXIMATE_MATCH_SCORE: Score = 0.5;

/// A full-text search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    /// Query text. Quoted parts are phrases, and every other word is required.
    pub text: String,
    /// Maximum number of results.
    pub limit: usize,
    /// Edit distance (1 or 2) for typo-tolerant matching of every word
    /// outside phrases. A transposition counts as one edit. Short words get
    /// less: words of up to 2 characters match exactly and words of 3 to 5
    /// characters allow at most 1 edit, like Elasticsearch's `AUTO` fuzziness.
    pub fuzzy: Option<u8>,
    /// Whether the last word matches as a prefix (`getUs` finds `getUserById`).
    /// CJK text matches as a substring with or without it.
    pub prefix: bool,
}

impl TextQuery {
    /// Creates an exact query for `text` returning at most `limit` results.
    pub fn new(text: impl Into<String>, limit: usize) -> Self {
        TextQuery {
            text: text.into(),
            limit,
            fuzzy: None,
            prefix: false,
        }
    }

    /// Sets the edit distance for fuzzy matching.
    pub fn fuzzy(mut self, distance: u8) -> Self {
        self.fuzzy = Some(distance);
        self
    }

    /// Makes the last word a prefix match.
    pub fn prefix(mut self) -> Self {
        self.prefix = true;
        self
    }

    pub(super) fn validate(&self) -> Result<()> {
        match self.fuzzy {
            None | Some(1) | Some(2) => Ok(()),
            Some(distance) => Err(Error::invalid(
                "fuzzy",
                &distance.to_string(),
                "the edit distance must be 1 or 2; use no fuzzy distance for exact matching",
            )),
        }
    }
}

/// A text field to search, with the weight of its matches.
#[derive(Debug, Clone, Copy)]
pub(super) struct WeightedField {
    pub field: Field,
    pub boost: Score,
}

/// Builds the tantivy query for `request`, or `None` when its text has no tokens.
pub(super) fn build_query(request: &TextQuery, fields: &[WeightedField]) -> Option<Box<dyn Query>> {
    let analyzed: Vec<(bool, Vec<CodeToken>)> = split_phrases(&request.text)
        .into_iter()
        .map(|(text, is_phrase)| (is_phrase, analyze(text)))
        .filter(|(_, tokens)| !tokens.is_empty())
        .collect();
    let last_segment = analyzed.len().checked_sub(1)?;

    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    for (segment_index, (is_phrase, tokens)) in analyzed.iter().enumerate() {
        if *is_phrase {
            clauses.extend(phrase_clause(tokens, fields));
            continue;
        }
        let last_group = tokens.last().map(|token| token.group);
        for group in group_slices(tokens) {
            let prefix = request.prefix
                && segment_index == last_segment
                && Some(group[0].group) == last_group;
            let options = MatchOptions {
                fuzzy: request.fuzzy.unwrap_or(0),
                prefix,
            };
            // A group whose tokens were all dropped as too long adds no clause.
            clauses.extend(group_clause(group, options, fields));
        }
    }

    all_of(clauses)
}

/// Splits `text` at double quotes into (segment, is phrase) pairs.
fn split_phrases(text: &str) -> Vec<(&str, bool)> {
    text.split('"')
        .enumerate()
        .map(|(index, segment)| (segment, index % 2 == 1))
        .collect()
}

/// Splits `tokens` into runs of equal `group`.
fn group_slices(tokens: &[CodeToken]) -> impl Iterator<Item = &[CodeToken]> {
    tokens.chunk_by(|a, b| a.group == b.group)
}

#[derive(Debug, Clone, Copy)]
struct MatchOptions {
    /// Requested edit distance, 0 for exact.
    fuzzy: u8,
    prefix: bool,
}

fn group_clause(
    group: &[CodeToken],
    options: MatchOptions,
    fields: &[WeightedField],
) -> Option<Box<dyn Query>> {
    let bigrams: Vec<&CodeToken> = group
        .iter()
        .filter(|token| token.kind == TokenKind::CjkBigram)
        .collect();
    if !bigrams.is_empty() {
        return Some(sequence_any_field(&bigrams, fields));
    }
    if let Some(single) = group
        .iter()
        .find(|token| token.kind == TokenKind::CjkSingle)
    {
        return Some(prefix_any_field(&single.text, fields));
    }

    let whole = group
        .iter()
        .find(|token| token.kind == TokenKind::Identifier);
    let parts: Vec<&CodeToken> = group
        .iter()
        .filter(|token| token.kind == TokenKind::Part)
        .collect();
    let last_part = parts.len().checked_sub(1);
    let part_clauses: Vec<Box<dyn Query>> = parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            let part_options = MatchOptions {
                prefix: options.prefix && Some(index) == last_part,
                ..options
            };
            term_any_field(&part.text, part_options, fields)
        })
        .collect();
    let all_parts = all_of(part_clauses);

    match (whole, all_parts) {
        (None, all_parts) => all_parts,
        (Some(whole), None) => Some(term_any_field(&whole.text, options, fields)),
        (Some(whole), Some(all_parts)) => Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, term_any_field(&whole.text, options, fields)),
            (Occur::Should, all_parts),
        ]))),
    }
}

/// Builds the clause of a quoted phrase: its parts and bigrams at their
/// relative positions, in one field.
fn phrase_clause(tokens: &[CodeToken], fields: &[WeightedField]) -> Option<Box<dyn Query>> {
    // Whole-identifier tokens share a position with a part, and a tail token
    // only occurs where a run ends, so neither belongs in the position
    // sequence. Their positions stay counted, so the gaps stay aligned.
    let sequence: Vec<&CodeToken> = tokens
        .iter()
        .filter(|token| !matches!(token.kind, TokenKind::Identifier | TokenKind::CjkTail))
        .collect();
    match sequence.as_slice() {
        [] => None,
        [single] if single.kind == TokenKind::CjkSingle => {
            Some(prefix_any_field(&single.text, fields))
        }
        // NOTE: a lone CJK character inside a longer phrase only matches a lone
        // character in the document, not the same character inside a longer run.
        _ => Some(sequence_any_field(&sequence, fields)),
    }
}

/// Matches `tokens` at their relative positions in any one field, or the
/// token alone when there is only one.
fn sequence_any_field(tokens: &[&CodeToken], fields: &[WeightedField]) -> Box<dyn Query> {
    if let [only] = tokens {
        return term_any_field(
            &only.text,
            MatchOptions {
                fuzzy: 0,
                prefix: false,
            },
            fields,
        );
    }
    let first_position = tokens[0].position;
    any_field(fields, |field| {
        let terms = tokens
            .iter()
            .map(|token| {
                (
                    token.position - first_position,
                    Term::from_field_text(field, &token.text),
                )
            })
            .collect();
        Box::new(PhraseQuery::new_with_offset(terms))
    })
}

fn prefix_any_field(text: &str, fields: &[WeightedField]) -> Box<dyn Query> {
    term_any_field(
        text,
        MatchOptions {
            fuzzy: 0,
            prefix: true,
        },
        fields,
    )
}

/// Matches `text` in any field, exactly and, when `options` ask for it, by
/// edit distance or as a prefix.
fn term_any_field(text: &str, options: MatchOptions, fields: &[WeightedField]) -> Box<dyn Query> {
    let distance = options.fuzzy.min(max_edits_for(text));
    any_field(fields, |field| {
        let term = Term::from_field_text(field, text);
        let exact: Box<dyn Query> =
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
        if distance == 0 && !options.prefix {
            return exact;
        }
        let approximate = if options.prefix {
            FuzzyTermQuery::new_prefix(term, distance, true)
        } else {
            FuzzyTermQuery::new(term, distance, true)
        };
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, exact),
            (
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(approximate),
                    APPROXIMATE_MATCH_SCORE,
                )),
            ),
        ]))
    })
}

/// Edits allowed in a word of this length, as in Elasticsearch's `AUTO`
/// fuzziness: one edit in a 2-letter word would match most 1- to 3-letter words.
fn max_edits_for(text: &str) -> u8 {
    match text.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Combines one query per field, each multiplied by the field's boost, so
/// that a match in any field matches.
fn any_field(
    fields: &[WeightedField],
    mut per_field: impl FnMut(Field) -> Box<dyn Query>,
) -> Box<dyn Query> {
    let clauses = fields
        .iter()
        .map(|weighted| {
            let query: Box<dyn Query> =
                Box::new(BoostQuery::new(per_field(weighted.field), weighted.boost));
            (Occur::Should, query)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Requires every clause. Returns `None` for no clauses.
fn all_of(mut clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses
                .into_iter()
                .map(|clause| (Occur::Must, clause))
                .collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_split_into_phrases() {
        assert_eq!(
            split_phrases(r#"auth "user service" login"#),
            [("auth ", false), ("user service", true), (" login", false)]
        );
        assert_eq!(split_phrases(r#"a "open"#), [("a ", false), ("open", true)]);
    }

    #[test]
    fn short_words_get_fewer_edits() {
        assert_eq!(max_edits_for("id"), 0);
        assert_eq!(max_edits_for("user"), 1);
        assert_eq!(max_edits_for("service"), 2);
    }

    #[test]
    fn fuzzy_distance_validated() {
        for distance in [0u8, 3, 255] {
            let err = TextQuery::new("x", 1)
                .fuzzy(distance)
                .validate()
                .unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "distance {distance}");
        }
        assert!(TextQuery::new("x", 1).fuzzy(2).validate().is_ok());
    }
}
