package logmr.services;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapred.FileInputFormat;

/**
 * Hadoop's own answer to "which paths does this job argument name?", for
 * the end-to-end test of logmr's path model. Reads one form a line on
 * standard input and prints, for each, one line: the form, a TAB, and the
 * paths it names joined by TABs, or "error: MESSAGE".
 *
 * <p>Usage: {@code PathOracle DEFAULT_FS WORKING_DIR}. Each form is split as
 * Streaming's {@code -input} is (FileInputFormat.addInputPaths: at commas
 * outside braces), and each part parsed by {@link Path} and qualified
 * against the default file system and working directory as
 * FileSystem.makeQualified does. A form with no comma is what {@code
 * -output} and {@code hadoop fs} name.
 */
public final class PathOracle {
    private PathOracle() {}

    public static void main(String[] args) throws Exception {
        URI defaultFs = URI.create(args[0]);
        Path workingDir = new Path(args[1]);
        // The splitter Streaming's -input goes through; private in Hadoop.
        Method split = FileInputFormat.class.getDeclaredMethod("getPathStrings", String.class);
        split.setAccessible(true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String form; (form = in.readLine()) != null; ) {
            out.append(form);
            try {
                StringBuilder paths = new StringBuilder();
                for (String part : (String[]) split.invoke(null, form)) {
                    paths.append('\t').append(new Path(part).makeQualified(defaultFs, workingDir));
                }
                out.append(paths);
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                out.append("\terror: ").append(cause.getClass().getSimpleName());
            }
            out.append('\n');
        }
        System.out.print(out);
    }
}
