//! The code-aware tokenizer behind every text field of the full-text index.
//!
//! Steps, in order:
//!
//! 1. NFKC normalization, so full-width `ＵｓｅｒＳｅｒｖｉｃｅ` reads as
//!    `UserService`, half-width `ｶﾀｶﾅ` as `カタカナ`, and composed and
//!    decomposed accents (`café` in NFC or NFD) become the same characters.
//! 2. Splitting into runs: identifier runs (letters, digits and combining
//!    marks joined by `_`, or by `-` between two letters or digits), CJK runs
//!    (Han, Hiragana, Katakana with `ー`, Hangul, Bopomofo), and separators
//!    (everything else, which produces no token).
//! 3. Identifier runs are split into parts at `_` and `-`, at lower-to-upper
//!    case changes (`getUser`), before the last capital of an acronym that
//!    precedes a lowercase letter (`HTTPServer` → `HTTP`, `Server`) and between
//!    letters and digits (`Server2`). Parts are lowercased and get consecutive
//!    positions. When a run has more than one part, or separators around its
//!    only part (`__init__`), the whole run is lowercased and emitted as one
//!    more token at the position of its first part. So `UserService` yields
//!    `userservice`, `user` and `service`.
//! 4. CJK runs become overlapping two-character grams at consecutive
//!    positions (`認証サービス` → `認証` `証サ` `サー` `ービ` `ビス`), followed by
//!    the run's last character alone (`ス`) at the next position, so that every
//!    character of the run starts some token. A run of one character yields
//!    that character. No dictionary is used.
//!
//! Offsets are byte offsets into the original text, not the normalized one.
//! NFKC can turn several original characters into one (`e` + U+0301 → `é`)
//! or one into several (`ﬁ` → `fi`). Every resulting character then carries
//! the offsets of the whole original sequence, so a token that starts or ends
//! inside such a sequence covers all of it.
//!
//! Tokens longer than [`MAX_TOKEN_BYTES`] are dropped, but still use up their
//! position, so phrase positions stay aligned.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::{
    canonical_combining_class, decompose_compatible, is_combining_mark,
};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Name under which the full-text index registers [`CodeTokenizer`].
pub const CODE_TOKENIZER_NAME: &str = "code";

/// Maximum length of a kept token, in bytes of UTF-8. Longer tokens are
/// mostly encoded data (base64, minified code), which searches do not target.
pub const MAX_TOKEN_BYTES: usize = 255;

/// Source of a token within its run. The query builder uses it to pick which
/// tokens of a query to match, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A word, or one part of a split identifier.
    Part,
    /// A whole identifier with its separators, lowercased. It shares the
    /// position of the identifier's first part.
    Identifier,
    /// Two adjacent characters of a CJK run.
    CjkBigram,
    /// A CJK run of a single character.
    CjkSingle,
    /// The last character of a CJK run of two or more characters.
    CjkTail,
}

/// A token with the run it came from, as returned by [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeToken {
    pub text: String,
    pub kind: TokenKind,
    /// Position in tokens. Parts and grams count, identifier tokens share a position.
    pub position: usize,
    /// Byte offset of the token's first character in the original text.
    pub offset_from: usize,
    /// Byte offset just past the token's last character in the original text.
    pub offset_to: usize,
    /// Index of the identifier or CJK run that produced the token, counted
    /// from 0 in each analyzed text.
    pub group: usize,
}

/// Tokenizes `text` exactly as the index does, keeping each token's kind and run.
pub fn analyze(text: &str) -> Vec<CodeToken> {
    let mut buffers = Buffers::default();
    let mut tokens = Vec::new();
    buffers.run(text, |raw| {
        tokens.push(CodeToken {
            text: raw.text.to_string(),
            kind: raw.kind,
            position: raw.position,
            offset_from: raw.offset_from,
            offset_to: raw.offset_to,
            group: raw.group,
        });
    });
    tokens
}

/// The tantivy [`Tokenizer`] for code and mixed-language text. The module
/// documentation describes the tokens it produces.
///
/// It keeps its buffers between calls, so reusing one instance allocates
/// only when a text has more tokens than any before it.
#[derive(Clone, Default)]
pub struct CodeTokenizer {
    buffers: Buffers,
    tokens: Vec<Token>,
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream<'a> {
        let tokens = &mut self.tokens;
        let mut count = 0;
        self.buffers.run(text, |raw| {
            if count == tokens.len() {
                tokens.push(Token::default());
            }
            let token = &mut tokens[count];
            token.text.clear();
            token.text.push_str(raw.text);
            token.position = raw.position;
            token.offset_from = raw.offset_from;
            token.offset_to = raw.offset_to;
            token.position_length = 1;
            count += 1;
        });
        CodeTokenStream {
            tokens: &mut tokens[..count],
            advanced: 0,
            before_first: Token::default(),
        }
    }
}

/// The tokens of one text, produced by [`CodeTokenizer`].
pub struct CodeTokenStream<'a> {
    tokens: &'a mut [Token],
    /// Number of `advance` calls that returned `true`.
    advanced: usize,
    /// Returned by `token()` before the first `advance`, as tantivy's own streams do.
    before_first: Token,
}

impl TokenStream for CodeTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.advanced < self.tokens.len() {
            self.advanced += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.advanced {
            0 => &self.before_first,
            n => &self.tokens[n - 1],
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.advanced {
            0 => &mut self.before_first,
            n => &mut self.tokens[n - 1],
        }
    }
}

/// One character of the normalized text, with the byte range of the original
/// characters it came from.
#[derive(Debug, Clone, Copy)]
struct NormChar {
    ch: char,
    from: usize,
    to: usize,
}

/// A token as the splitter emits it, borrowing its text.
struct RawToken<'t> {
    text: &'t str,
    kind: TokenKind,
    position: usize,
    offset_from: usize,
    offset_to: usize,
    group: usize,
}

/// Reusable buffers of one tokenizer.
#[derive(Clone, Default)]
struct Buffers {
    chars: Vec<NormChar>,
    /// Part ranges of the current identifier, as indexes into its run.
    parts: Vec<(usize, usize)>,
    text: String,
}

impl Buffers {
    fn run(&mut self, text: &str, mut emit: impl FnMut(&RawToken<'_>)) {
        normalize_into(text, &mut self.chars);

        let chars = &self.chars;
        let mut splitter = Splitter {
            parts: &mut self.parts,
            text: &mut self.text,
            position: 0,
            group: 0,
        };
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i].ch;
            if is_cjk(ch) {
                let end = run_end(chars, i, is_cjk);
                splitter.cjk_run(&chars[i..end], &mut emit);
                i = end;
            } else if is_word_char(ch) || ch == '_' {
                let end = identifier_end(chars, i);
                splitter.identifier(&chars[i..end], &mut emit);
                i = end;
            } else {
                i += 1;
            }
        }
    }
}

struct Splitter<'b> {
    parts: &'b mut Vec<(usize, usize)>,
    text: &'b mut String,
    position: usize,
    group: usize,
}

impl Splitter<'_> {
    fn identifier(&mut self, run: &[NormChar], emit: &mut impl FnMut(&RawToken<'_>)) {
        split_parts(run, self.parts);
        if self.parts.is_empty() {
            // A run of only underscores has nothing to index.
            return;
        }

        let whole_is_one_part = self.parts.len() == 1 && self.parts[0] == (0, run.len());
        if !whole_is_one_part {
            self.emit(run, TokenKind::Identifier, emit);
        }
        for index in 0..self.parts.len() {
            let (start, end) = self.parts[index];
            self.emit(&run[start..end], TokenKind::Part, emit);
            self.position += 1;
        }
        self.group += 1;
    }

    fn cjk_run(&mut self, run: &[NormChar], emit: &mut impl FnMut(&RawToken<'_>)) {
        if run.len() == 1 {
            self.emit(run, TokenKind::CjkSingle, emit);
            self.position += 1;
        } else {
            for start in 0..run.len() - 1 {
                self.emit(&run[start..start + 2], TokenKind::CjkBigram, emit);
                self.position += 1;
            }
            self.emit(&run[run.len() - 1..], TokenKind::CjkTail, emit);
            self.position += 1;
        }
        self.group += 1;
    }

    /// Emits the lowercased `chars` at the current position, unless the text
    /// exceeds [`MAX_TOKEN_BYTES`].
    fn emit(&mut self, chars: &[NormChar], kind: TokenKind, emit: &mut impl FnMut(&RawToken<'_>)) {
        self.text.clear();
        let is_cjk_token = matches!(
            kind,
            TokenKind::CjkBigram | TokenKind::CjkSingle | TokenKind::CjkTail
        );
        for c in chars {
            if is_cjk_token {
                // CJK scripts have no case.
                self.text.push(c.ch);
            } else {
                push_lowercase(self.text, c.ch);
            }
        }
        if self.text.len() > MAX_TOKEN_BYTES {
            return;
        }
        emit(&RawToken {
            text: self.text.as_str(),
            kind,
            position: self.position,
            offset_from: chars[0].from,
            offset_to: chars[chars.len() - 1].to,
            group: self.group,
        });
    }
}

fn push_lowercase(out: &mut String, ch: char) {
    if ch.is_ascii() {
        out.push(ch.to_ascii_lowercase());
    } else {
        out.extend(ch.to_lowercase());
    }
}

/// Writes the NFKC form of `text` into `out`, one entry per normalized character.
fn normalize_into(text: &str, out: &mut Vec<NormChar>) {
    out.clear();
    if text.is_ascii() {
        // ASCII is already in NFKC.
        out.extend(text.bytes().enumerate().map(|(index, byte)| NormChar {
            ch: byte as char,
            from: index,
            to: index + 1,
        }));
        return;
    }

    // Normalizing each segment between two composition boundaries on its own
    // gives the same characters as normalizing the whole text, and lets every
    // output character point back at the original bytes of its segment.
    let mut segment_start = 0;
    // Whether the current segment is a single character that NFKC keeps as is.
    let mut segment_is_stable_char = false;
    for (index, ch) in text.char_indices() {
        let stable = is_stable_starter(ch);
        if index > segment_start && (stable || decomposition_starts_stable(ch)) {
            push_normalized_segment(text, segment_start, index, segment_is_stable_char, out);
            segment_start = index;
        }
        segment_is_stable_char = index == segment_start && stable;
    }
    if segment_start < text.len() {
        push_normalized_segment(text, segment_start, text.len(), segment_is_stable_char, out);
    }
}

fn push_normalized_segment(
    text: &str,
    from: usize,
    to: usize,
    is_stable_char: bool,
    out: &mut Vec<NormChar>,
) {
    let segment = &text[from..to];
    if is_stable_char {
        let ch = segment.chars().next().expect("a segment has a character");
        out.push(NormChar { ch, from, to });
    } else {
        out.extend(segment.nfkc().map(|ch| NormChar { ch, from, to }));
    }
}

/// Returns `true` for a starter (combining class 0) whose NFKC_Quick_Check
/// value is Yes. NFKC leaves such a character unchanged. Nothing before it
/// can combine with it, because Unicode (UAX #15) gives Maybe to every
/// character that can compose with a preceding one and only non-starters
/// are reordered. So normalization may split the text before it.
fn is_stable_starter(ch: char) -> bool {
    if ch.is_ascii() || is_common_stable_cjk(ch) {
        return true;
    }
    canonical_combining_class(ch) == 0 && nfkc_quick_check(ch) == IsNormalized::Yes
}

/// Returns `true` when the compatibility decomposition of `ch` starts with a
/// stable starter (`Ｕ` → `U`, `ﬁ` → `fi`), which also allows a split before `ch`.
fn decomposition_starts_stable(ch: char) -> bool {
    let mut first = None;
    decompose_compatible(ch, |decomposed| {
        first.get_or_insert(decomposed);
    });
    first.is_some_and(is_stable_starter)
}

/// Kana, common Han ideographs and precomposed Hangul: stable starters,
/// tested by range to skip three table lookups per character of CJK text.
/// A unit test checks every character of these ranges against the tables.
fn is_common_stable_cjk(ch: char) -> bool {
    matches!(ch,
        '\u{3041}'..='\u{3096}'     // Hiragana letters
        | '\u{30A1}'..='\u{30FA}'   // Katakana letters
        | '\u{30FC}'                // ー
        | '\u{4E00}'..='\u{9FFF}'   // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7A3}'   // Hangul Syllables
    )
}

fn nfkc_quick_check(ch: char) -> IsNormalized {
    is_nfkc_quick(std::iter::once(ch))
}

/// Han ideographs, kana, Hangul and Bopomofo: scripts written without spaces
/// between words, which the tokenizer splits into two-character grams.
///
/// The ranges cover the Unicode 15.1 blocks. The Katakana middle dot `・` and
/// the double hyphen `゠` are punctuation, so they separate runs.
fn is_cjk(ch: char) -> bool {
    if ch < '\u{1100}' {
        return false;
    }
    matches!(ch,
        '\u{1100}'..='\u{11FF}'       // Hangul Jamo
        | '\u{2E80}'..='\u{2FDF}'     // CJK Radicals Supplement, Kangxi Radicals
        | '\u{3005}'..='\u{3007}'     // 々 〆 〇
        | '\u{3021}'..='\u{3029}'     // Hangzhou numerals
        | '\u{3031}'..='\u{3035}'     // kana repeat marks
        | '\u{303B}'..='\u{303C}'     // 〻 〼
        | '\u{3041}'..='\u{309F}'     // Hiragana
        | '\u{30A1}'..='\u{30FA}'     // Katakana letters
        | '\u{30FC}'..='\u{30FF}'     // ー, iteration marks, ヿ
        | '\u{3105}'..='\u{312F}'     // Bopomofo
        | '\u{3131}'..='\u{318E}'     // Hangul Compatibility Jamo
        | '\u{31A0}'..='\u{31BF}'     // Bopomofo Extended
        | '\u{31F0}'..='\u{31FF}'     // Katakana Phonetic Extensions
        | '\u{3400}'..='\u{4DBF}'     // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK Unified Ideographs
        | '\u{A960}'..='\u{A97F}'     // Hangul Jamo Extended-A
        | '\u{AC00}'..='\u{D7AF}'     // Hangul Syllables
        | '\u{D7B0}'..='\u{D7FF}'     // Hangul Jamo Extended-B
        | '\u{F900}'..='\u{FAFF}'     // CJK Compatibility Ideographs
        | '\u{FF66}'..='\u{FF9F}'     // half-width Katakana
        | '\u{FFA0}'..='\u{FFDC}'     // half-width Hangul
        | '\u{1AFF0}'..='\u{1B16F}'   // Kana Extended-B, Kana Supplement, Extended-A, Small Kana
        | '\u{20000}'..='\u{2FA1F}'   // CJK Extensions B–F, Compatibility Supplement
        | '\u{30000}'..='\u{323AF}'   // CJK Extensions G, H
    )
}

fn is_word_char(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphanumeric();
    }
    !is_cjk(ch) && (ch.is_alphanumeric() || is_combining_mark(ch))
}

fn run_end(chars: &[NormChar], start: usize, belongs: fn(char) -> bool) -> usize {
    let mut end = start;
    while end < chars.len() && belongs(chars[end].ch) {
        end += 1;
    }
    end
}

/// Returns the end of the identifier run starting at `start`: word characters
/// and `_`, plus `-` between two word characters (`get-user-by-id`, but not
/// `--flag` or `a - b`).
fn identifier_end(chars: &[NormChar], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() {
        let ch = chars[end].ch;
        let joins = is_word_char(ch)
            || ch == '_'
            || (ch == '-'
                && end > start
                && is_word_char(chars[end - 1].ch)
                && chars.get(end + 1).is_some_and(|next| is_word_char(next.ch)));
        if !joins {
            break;
        }
        end += 1;
    }
    end
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Upper,
    Lower,
    Digit,
    Mark,
    /// Letters without case, such as Arabic or Thai.
    Uncased,
}

fn char_class(ch: char) -> CharClass {
    if ch.is_numeric() {
        CharClass::Digit
    } else if ch.is_uppercase() {
        CharClass::Upper
    } else if ch.is_lowercase() {
        CharClass::Lower
    } else if is_combining_mark(ch) {
        CharClass::Mark
    } else {
        CharClass::Uncased
    }
}

/// Writes the part ranges of the identifier `run` into `parts`.
fn split_parts(run: &[NormChar], parts: &mut Vec<(usize, usize)>) {
    parts.clear();
    let mut part_start: Option<usize> = None;
    for index in 0..run.len() {
        let ch = run[index].ch;
        if ch == '_' || ch == '-' {
            if let Some(start) = part_start.take() {
                parts.push((start, index));
            }
            continue;
        }
        match part_start {
            None => part_start = Some(index),
            Some(start) => {
                if starts_new_part(run, index) {
                    parts.push((start, index));
                    part_start = Some(index);
                }
            }
        }
    }
    if let Some(start) = part_start {
        parts.push((start, run.len()));
    }
}

/// Returns `true` when a new part starts at `run[index]`. The caller ensures
/// that `run[index - 1]` is in the current part.
fn starts_new_part(run: &[NormChar], index: usize) -> bool {
    use CharClass::*;

    let previous = char_class(run[index - 1].ch);
    let current = char_class(run[index].ch);
    match (previous, current) {
        (_, Mark) => false,
        (Digit, Digit) => false,
        (Digit, _) | (_, Digit) => true,
        (Lower | Uncased | Mark, Upper) => true,
        // The last capital of an acronym starts the next word: `HTTPServer`.
        (Upper, Upper) => run
            .get(index + 1)
            .is_some_and(|next| char_class(next.ch) == Lower),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        analyze(input).into_iter().map(|token| token.text).collect()
    }

    fn texts_of_kind(input: &str, kind: TokenKind) -> Vec<String> {
        analyze(input)
            .into_iter()
            .filter(|token| token.kind == kind)
            .map(|token| token.text)
            .collect()
    }

    fn parts(input: &str) -> Vec<String> {
        texts_of_kind(input, TokenKind::Part)
    }

    #[test]
    fn identifier_styles_split_into_parts() {
        let cases: [(&str, &[&str], &str); 6] = [
            ("getUserById", &["get", "user", "by", "id"], "getuserbyid"),
            (
                "get_user_by_id",
                &["get", "user", "by", "id"],
                "get_user_by_id",
            ),
            (
                "get-user-by-id",
                &["get", "user", "by", "id"],
                "get-user-by-id",
            ),
            ("GetUserByID", &["get", "user", "by", "id"], "getuserbyid"),
            ("HTTPServer2", &["http", "server", "2"], "httpserver2"),
            ("UserService", &["user", "service"], "userservice"),
        ];
        for (input, expected_parts, expected_whole) in cases {
            assert_eq!(parts(input), expected_parts, "parts of {input}");
            assert_eq!(
                texts_of_kind(input, TokenKind::Identifier),
                [expected_whole],
                "whole token of {input}"
            );
        }
    }

    #[test]
    fn whole_identifier_shares_first_position() {
        let tokens = analyze("call getUserById now");
        let summary: Vec<(&str, usize)> = tokens
            .iter()
            .map(|token| (token.text.as_str(), token.position))
            .collect();
        assert_eq!(
            summary,
            [
                ("call", 0),
                ("getuserbyid", 1),
                ("get", 1),
                ("user", 2),
                ("by", 3),
                ("id", 4),
                ("now", 5)
            ]
        );
    }

    #[test]
    fn single_word_has_no_extra_token() {
        assert_eq!(texts("User"), ["user"]);
        assert_eq!(texts("42"), ["42"]);
    }

    #[test]
    fn surrounding_underscores_keep_whole_token() {
        assert_eq!(texts("__init__"), ["__init__", "init"]);
        assert_eq!(texts("___"), Vec::<String>::new());
    }

    #[test]
    fn loose_hyphens_separate_words() {
        assert_eq!(texts("--flag"), ["flag"]);
        assert_eq!(texts("a - b"), ["a", "b"]);
    }

    #[test]
    fn punctuation_separates_identifiers() {
        assert_eq!(
            texts("src/user.service.ts"),
            ["src", "user", "service", "ts"]
        );
        assert_eq!(texts("Foo::bar()"), ["foo", "bar"]);
    }

    #[test]
    fn full_width_letters_normalized() {
        assert_eq!(texts("ＵｓｅｒＳｅｒｖｉｃｅ"), texts("UserService"));
        assert_eq!(texts("ｶﾀｶﾅ"), texts("カタカナ"));
    }

    #[test]
    fn composed_and_decomposed_accents_match() {
        let composed = "caf\u{00E9}";
        let decomposed = "cafe\u{0301}";
        assert_eq!(texts(composed), ["café"]);
        assert_eq!(texts(decomposed), ["café"]);
        assert_eq!(texts("Ｃａｆｅ\u{0301}"), ["café"]);
    }

    #[test]
    fn decomposed_hangul_matches_composed() {
        let composed = "한국어";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(texts(&decomposed), texts(composed));
    }

    #[test]
    fn japanese_run_becomes_bigrams_and_tail() {
        let tokens = analyze("ユーザー認証サービス");
        let summary: Vec<(&str, usize, TokenKind)> = tokens
            .iter()
            .map(|token| (token.text.as_str(), token.position, token.kind))
            .collect();
        use TokenKind::{CjkBigram as B, CjkTail as T};
        assert_eq!(
            summary,
            [
                ("ユー", 0, B),
                ("ーザ", 1, B),
                ("ザー", 2, B),
                ("ー認", 3, B),
                ("認証", 4, B),
                ("証サ", 5, B),
                ("サー", 6, B),
                ("ービ", 7, B),
                ("ビス", 8, B),
                ("ス", 9, T),
            ]
        );
    }

    #[test]
    fn lone_cjk_character_is_one_token() {
        let tokens = analyze("認");
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].text, "認");
        assert_eq!(tokens[0].kind, TokenKind::CjkSingle);
    }

    #[test]
    fn mixed_scripts_split_into_runs() {
        assert_eq!(
            texts("ユーザーID取得 API"),
            ["ユー", "ーザ", "ザー", "ー", "id", "取得", "得", "api"]
        );
        assert_eq!(
            texts("ジョン・スミス"),
            ["ジョ", "ョン", "ン", "スミ", "ミス", "ス"]
        );
        assert_eq!(texts("한국어 검색"), ["한국", "국어", "어", "검색", "색"]);
    }

    #[test]
    fn offsets_point_into_original_text() {
        let text = "call ＵｓｅｒＳｅｒｖｉｃｅ then 認証サービス";
        for token in analyze(text) {
            let original = &text[token.offset_from..token.offset_to];
            let normalized: String = original.nfkc().flat_map(char::to_lowercase).collect();
            assert_eq!(normalized, token.text, "offsets of {token:?}");
        }
    }

    #[test]
    fn decomposed_accent_offsets_cover_the_mark() {
        let text = "cafe\u{0301} bar";
        let tokens = analyze(text);
        assert_eq!((tokens[0].offset_from, tokens[0].offset_to), (0, 6));
        assert_eq!((tokens[1].offset_from, tokens[1].offset_to), (7, 10));
    }

    #[test]
    fn ligature_offsets_cover_the_ligature() {
        // `ﬁ` (3 bytes) becomes `fi`, and both letters point at it.
        let tokens = analyze("ﬁle");
        assert_eq!(tokens[0].text, "file");
        assert_eq!((tokens[0].offset_from, tokens[0].offset_to), (0, 5));
    }

    #[test]
    fn long_tokens_dropped_but_position_kept() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        let tokens = analyze(&format!("before {long} after"));
        let summary: Vec<(&str, usize)> = tokens
            .iter()
            .map(|token| (token.text.as_str(), token.position))
            .collect();
        assert_eq!(summary, [("before", 0), ("after", 2)]);
    }

    #[test]
    fn tantivy_stream_matches_analyze() {
        let text = "getUserById returns ユーザー認証 for HTTPServer2";
        let mut tokenizer = CodeTokenizer::default();
        for _ in 0..2 {
            let mut stream = tokenizer.token_stream(text);
            let mut streamed = Vec::new();
            while stream.advance() {
                let token = stream.token();
                streamed.push((
                    token.text.clone(),
                    token.position,
                    token.offset_from,
                    token.offset_to,
                ));
            }
            let expected: Vec<_> = analyze(text)
                .into_iter()
                .map(|token| {
                    (
                        token.text,
                        token.position,
                        token.offset_from,
                        token.offset_to,
                    )
                })
                .collect();
            assert_eq!(streamed, expected);
        }
    }

    #[test]
    fn empty_and_separator_only_text() {
        assert!(analyze("").is_empty());
        assert!(analyze("  ... ;; !! ").is_empty());
        let mut tokenizer = CodeTokenizer::default();
        let mut stream = tokenizer.token_stream("");
        assert!(!stream.advance());
    }

    #[test]
    fn common_cjk_ranges_are_stable_starters() {
        let ranges = [
            '\u{3041}'..='\u{3096}',
            '\u{30A1}'..='\u{30FA}',
            '\u{30FC}'..='\u{30FC}',
            '\u{4E00}'..='\u{9FFF}',
            '\u{AC00}'..='\u{D7A3}',
        ];
        for ch in ranges.into_iter().flatten() {
            assert_eq!(
                canonical_combining_class(ch),
                0,
                "combining class of {ch:?}"
            );
            assert_eq!(
                nfkc_quick_check(ch),
                IsNormalized::Yes,
                "quick check of {ch:?}"
            );
            assert!(is_cjk(ch), "{ch:?} is not in the CJK ranges");
        }
    }

    #[test]
    fn composition_boundaries_match_whole_text_nfkc() {
        let samples = [
            "cafe\u{0301}\u{0323}x",
            "ｶﾞｷﾞ ﾊﾟﾊﾟ",
            "\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}",
            "ﬁ ﬀ ½ ① ㍿ Å",
            "\u{0301}leading mark",
            "\u{AC00} \u{11A8}",
            "\u{AC00}\u{11A8}",
        ];
        for sample in samples {
            let mut chars = Vec::new();
            normalize_into(sample, &mut chars);
            let segmented: String = chars.iter().map(|c| c.ch).collect();
            let whole: String = sample.nfkc().collect();
            assert_eq!(segmented, whole, "NFKC of {sample:?}");
        }
    }

    /// Characters that compose, reorder or expand under NFKC: combining marks,
    /// conjoining jamo, half-width kana with voicing marks, ligatures,
    /// full-width letters, and Oriya and Kannada vowels that compose with a
    /// preceding starter.
    const TRICKY_CHARS: &[char] = &[
        'a', 'e', 'u', ' ', '\u{0301}', '\u{0308}', '\u{0323}', '\u{0344}', '\u{00A8}', '\u{212B}',
        '\u{1100}', '\u{1161}', '\u{11A8}', '\u{AC00}', '\u{FF76}', '\u{FF9E}', '\u{FF9F}',
        '\u{3099}', '\u{304B}', '\u{FB01}', '\u{FF35}', '\u{0B47}', '\u{0B3E}', '\u{0B57}',
        '\u{0CBF}', '\u{0CD5}', '\u{1E9B}', '\u{0FB2}', '\u{0F80}', '\u{2460}',
    ];

    fn check_segmented_nfkc(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut chars = Vec::new();
        normalize_into(text, &mut chars);
        let segmented: String = chars.iter().map(|c| c.ch).collect();
        let whole: String = text.nfkc().collect();
        proptest::prop_assert_eq!(segmented, whole);
        for pair in chars.windows(2) {
            proptest::prop_assert!(pair[0].from <= pair[1].from);
        }
        for c in &chars {
            proptest::prop_assert!(c.from < c.to && c.to <= text.len());
            proptest::prop_assert!(text.is_char_boundary(c.from) && text.is_char_boundary(c.to));
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn segmented_nfkc_matches_on_any_text(text in "\\PC{0,40}") {
            check_segmented_nfkc(&text)?;
        }

        #[test]
        fn segmented_nfkc_matches_on_tricky_text(
            picks in proptest::collection::vec(proptest::sample::select(TRICKY_CHARS), 0..30),
        ) {
            let text: String = picks.into_iter().collect();
            check_segmented_nfkc(&text)?;
        }

        #[test]
        fn any_text_tokenizes_without_panic(text in "\\PC{0,60}") {
            for token in analyze(&text) {
                proptest::prop_assert!(token.offset_from < token.offset_to);
                proptest::prop_assert!(token.offset_to <= text.len());
                proptest::prop_assert!(!token.text.is_empty());
            }
        }
    }
}
