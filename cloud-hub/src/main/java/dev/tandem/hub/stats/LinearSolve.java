package dev.tandem.hub.stats;

import java.util.Arrays;

/** Small dense linear systems. */
public final class LinearSolve {
    private LinearSolve() {
    }

    /**
     * Solves a small symmetric positive definite system (Gaussian elimination with partial pivoting);
     * a (near-)zero pivot gives 0 for its unknown.
     */
    public static double[] solve(double[][] matrix, double[] rhs) {
        int k = rhs.length;
        double[][] a = new double[k][];
        for (int i = 0; i < k; i++) {
            a[i] = Arrays.copyOf(matrix[i], k + 1);
            a[i][k] = rhs[i];
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            if (Math.abs(a[col][col]) < 1e-300) {
                continue;
            }
            for (int r = col + 1; r < k; r++) {
                double f = a[r][col] / a[col][col];
                for (int j = col; j <= k; j++) {
                    a[r][j] -= f * a[col][j];
                }
            }
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = a[i][k];
            for (int j = i + 1; j < k; j++) {
                s -= a[i][j] * x[j];
            }
            x[i] = Math.abs(a[i][i]) < 1e-300 ? 0 : s / a[i][i];
        }
        return x;
    }
}
