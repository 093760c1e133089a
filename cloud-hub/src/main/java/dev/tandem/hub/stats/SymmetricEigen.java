package dev.tandem.hub.stats;

import java.util.Arrays;

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; values descending. */
public final class SymmetricEigen {
    private final double[] values;
    /** vectors[row][col]: column j is the eigenvector of values[j]. */
    private final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /** Eigenvalues, descending. */
    public double[] values() {
        return values.clone();
    }

    /** The unit eigenvector of {@code values()[j]}, signed so that its largest component is positive. */
    public double[] vector(int j) {
        int d = values.length;
        double[] v = new double[d];
        int argMax = 0;
        for (int i = 0; i < d; i++) {
            v[i] = vectors[i][j];
            if (Math.abs(v[i]) > Math.abs(v[argMax]) + 1e-12) {
                argMax = i;
            }
        }
        if (v[argMax] < 0) {
            for (int i = 0; i < d; i++) {
                v[i] = -v[i];
            }
        }
        return v;
    }

    /** Decomposes a small symmetric matrix (not modified). */
    public static SymmetricEigen of(double[][] matrix) {
        int d = matrix.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) {
            a[i] = matrix[i].clone();
        }
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int p = 0; p < d; p++) {
                diag += a[p][p] * a[p][p];
                for (int r = p + 1; r < d; r++) {
                    off += a[p][r] * a[p][r];
                }
            }
            if (off <= 1e-30 * Math.max(diag, 1e-300)) {
                break;
            }
            for (int p = 0; p < d - 1; p++) {
                for (int r = p + 1; r < d; r++) {
                    double apr = a[p][r];
                    if (apr == 0) {
                        continue;
                    }
                    double theta = (a[r][r] - a[p][p]) / (2 * apr);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int i = 0; i < d; i++) {
                        double aip = a[i][p], air = a[i][r];
                        a[i][p] = c * aip - s * air;
                        a[i][r] = s * aip + c * air;
                    }
                    for (int i = 0; i < d; i++) {
                        double api = a[p][i], ari = a[r][i];
                        a[p][i] = c * api - s * ari;
                        a[r][i] = s * api + c * ari;
                    }
                    for (int i = 0; i < d; i++) {
                        double vip = v[i][p], vir = v[i][r];
                        v[i][p] = c * vip - s * vir;
                        v[i][r] = s * vip + c * vir;
                    }
                }
            }
        }
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
        double[] values = new double[d];
        double[][] vectors = new double[d][d];
        for (int j = 0; j < d; j++) {
            values[j] = a[order[j]][order[j]];
            for (int i = 0; i < d; i++) {
                vectors[i][j] = v[i][order[j]];
            }
        }
        return new SymmetricEigen(values, vectors);
    }
}
