package org.proxymap.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Key numbers 0..n-1 drawn with Zipf's law: number k (rank k+1) has probability
 * proportional to 1/(k+1)^exponent, the skew of real recipient and domain lookups (issue 17:
 * exponent 1.0 over the 100k keys). Inverse-CDF sampling over a table built once and shared,
 * immutable, by every client of a run; each client brings its own random source.
 */
final class ZipfKeys {
    private final double[] cdf;

    ZipfKeys(int n, double exponent) {
        if (n < 1) throw new IllegalArgumentException("Zipf over " + n + " keys");
        if (!(exponent >= 0)) throw new IllegalArgumentException("Zipf exponent " + exponent);
        cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.pow(k + 1, -exponent);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) cdf[k] /= sum;
        cdf[n - 1] = 1.0; // rounding must not leave a gap above the last key
    }

    int size() { return cdf.length; }

    /** The probability of key number {@code k}. */
    double probability(int k) { return k == 0 ? cdf[0] : cdf[k] - cdf[k - 1]; }

    int next(SplittableRandom random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return i >= 0 ? i : -i - 1; // the first key whose cumulative probability exceeds u
    }
}
