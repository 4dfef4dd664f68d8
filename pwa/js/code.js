// The pseudonymous participant code and other text normalisation. Pure functions.

const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Arabic-Indic and Persian digits to 0-9. */
export const latinDigits = (s) =>
  String(s).replace(ARABIC_DIGITS, (d) => String(d.charCodeAt(0) & 0xf));

/** Upper case, no accents or Arabic vowel marks, one spelling of alef, ya and ta marbuta. */
function letters(s) {
  return latinDigits(s)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\u0622\u0623\u0625\u0671]/g, '\u0627')
    .replace(/\u0649/g, '\u064A')
    .replace(/\u0629/g, '\u0647')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The code built from separate answers: two letters of the mother's first name,
 * the day of birth as two digits, the first letter of the birthplace.
 * Look-alike digits in letter fields (0, 1) become letters, and vice versa.
 * Returns '' while any part is missing or invalid.
 */
export function buildCode(mother, day, place) {
  const toLetters = (s) => letters(s).replace(/0/g, 'O').replace(/1/g, 'I').replace(/\d/g, '');
  const m = toLetters(mother).slice(0, 2);
  const p = toLetters(place).slice(0, 1);
  const d = Number(letters(day).replace(/O/g, '0').replace(/[IL]/g, '1'));
  if (m.length < 2 || !p || !Number.isInteger(d) || d < 1 || d > 31) return '';
  return m + String(d).padStart(2, '0') + p;
}

/** A code typed from a card: letters and digits only, O read as 0, I and L as 1. */
export function normaliseCard(s) {
  return letters(s).replace(/O/g, '0').replace(/[IL]/g, '1');
}

const SEPARATORS = /[ \-_./\u200f\u200e\u200b]/g;
// As the server's sync/normalise.py: look-alike letters, Cyrillic and Greek capitals.
const LOOKALIKES = {
  O: '0', Q: '0', I: '1', L: '1',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y',
  Α: 'A', Β: 'B', Ε: 'E', Κ: 'K', Μ: 'M', Ν: 'N', Ρ: 'P', Τ: 'T', Χ: 'X', Υ: 'Y', Ζ: 'Z',
};

/** The participant code as the server normalises it (sync/normalise.py), whatever was typed. */
export function normaliseCode(raw) {
  return latinDigits(String(raw).normalize('NFKD').replace(SEPARATORS, '').replace(/\p{M}/gu, ''))
    .toUpperCase()
    .replace(/./gu, (c) => LOOKALIKES[c] || c);
}

/** A typed number (Arabic digits, comma decimals, spaces) or null when it is not one. */
export function parseNumber(s) {
  const t = latinDigits(s).replace(/[\s\u00A0\u202F]/g, '').replace(/[\u066B,]/g, '.')
    .replace(/^[\u2212\u2012\u2013]/, '-');
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  return Number(t);
}

/** A random UUID v4, also where crypto.randomUUID is missing. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
