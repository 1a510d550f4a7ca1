package dev.queuectl.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The word a user probably meant when they typed one that names nothing: the candidate closest
 * by edit distance (insertions, deletions, substitutions and swaps of two neighbours, case
 * ignored), if close enough for the length of the word (1 edit up to 4 characters, 2 above, 3
 * from 9; words and candidates of 1 or 2 characters, as -x, never), or the one candidate the word begins (at least 3 characters: {@code sched} for
 * {@code schedule}). Ties are none: two candidates as close say nothing. Shared by every path
 * that refuses a word: commands and options of the CLI, the REPL and served clients (ArgvParser)
 * and the options checked before start-up ({@link OptionWords}).
 */
public final class DidYouMean {

	private DidYouMean() {
	}

	/** The candidate {@code word} is close to, if exactly one is closest and close enough. */
	public static Optional<String> closest(String word, Collection<String> candidates) {
		if (word.length() <= 2 || word.length() > 64) {
			return Optional.empty(); // -x, or no name that long (a JSON job or a path, not a typo)
		}
		String typed = word.toLowerCase(Locale.ROOT);
		int allowed = typed.length() <= 4 ? 1 : typed.length() <= 8 ? 2 : 3;
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		boolean tie = false;
		for (String candidate : candidates) {
			if (candidate.length() <= 2) {
				continue; // -h: any short option is one edit from any other
			}
			int d = distance(typed, candidate.toLowerCase(Locale.ROOT));
			if (d < bestDistance) {
				best = candidate;
				bestDistance = d;
				tie = false;
			}
			else if (d == bestDistance && !candidate.equals(best)) {
				tie = true;
			}
		}
		if (best != null && !best.equals(word) && bestDistance <= allowed && !tie) {
			return Optional.of(best);
		}
		if (typed.replaceFirst("^-+", "").length() >= 3) {
			java.util.List<String> prefixed = candidates.stream()
				.filter(c -> c.toLowerCase(Locale.ROOT).startsWith(typed) && !c.equals(word))
				.distinct()
				.toList();
			if (prefixed.size() == 1) {
				return Optional.of(prefixed.get(0));
			}
		}
		return Optional.empty();
	}

	/** " (did you mean X?)"-style text: {@code "did you mean 'list'? "}, or empty. */
	public static String hint(String word, Collection<String> candidates, String quote) {
		return closest(word, candidates).map(c -> "did you mean " + quote + c + quote + "? ").orElse("");
	}

	/** Optimal string alignment distance: Levenshtein's, with a swap of two neighbours as one edit. */
	static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}
}
