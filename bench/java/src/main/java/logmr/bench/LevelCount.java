package logmr.bench;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.reduce.LongSumReducer;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;

/**
 * Lines per level as a native Java MapReduce job, written for speed: the
 * mapper reads each line's bytes in place and counts in memory (in-mapper
 * combining), emitting one record per level when its split ends, and
 * {@link LongSumReducer} sums as combiner and reducer. The level is the
 * first bracketed word of the line ({@code [ERROR]}), as in the layout of
 * the original generator, which is what the benchmark feeds it; a line
 * without one counts as UNKNOWN, as in {@code logmr map}.
 *
 * <pre>hadoop jar logmr-bench-java.jar logmr.bench.LevelCount [-D k=v ...] INPUT... OUTPUT</pre>
 *
 * <p>The input format, split size and uber mode come from {@code -D}, so the
 * benchmark gives this job the same shape as the Streaming jobs it stands
 * beside.
 */
public final class LevelCount extends Configured implements Tool {

    /** Counts levels in memory; writes them in cleanup. */
    public static final class LevelMapper extends Mapper<LongWritable, Text, Text, LongWritable> {
        private final Map<String, long[]> counts = new HashMap<>();

        @Override
        protected void map(LongWritable offset, Text line, Context context) {
            counts.computeIfAbsent(level(line.getBytes(), line.getLength()), k -> new long[1])[0]++;
        }

        @Override
        protected void cleanup(Context context) throws IOException, InterruptedException {
            Text key = new Text();
            LongWritable value = new LongWritable();
            for (Map.Entry<String, long[]> entry : counts.entrySet()) {
                key.set(entry.getKey());
                value.set(entry.getValue()[0]);
                context.write(key, value);
            }
        }
    }

    private static final String[] LEVELS = {"ERROR", "WARN", "INFO", "DEBUG"};

    /** The first bracketed word of the line when it is a level, else UNKNOWN. */
    static String level(byte[] bytes, int length) {
        int open = -1;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '[') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (String level : LEVELS) {
                int end = open + 1 + level.length();
                if (end < length && bytes[end] == ']' && matches(bytes, open + 1, level)) {
                    return level;
                }
            }
        }
        return "UNKNOWN";
    }

    private static boolean matches(byte[] bytes, int at, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (bytes[at + i] != (byte) word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LevelCount [-D k=v ...] INPUT... OUTPUT");
            return 2;
        }
        Job job = Job.getInstance(getConf(), "logmr bench: native Java level count");
        job.setJarByClass(LevelCount.class);
        job.setMapperClass(LevelMapper.class);
        job.setCombinerClass(LongSumReducer.class);
        job.setReducerClass(LongSumReducer.class);
        job.setOutputKeyClass(Text.class);
        job.setOutputValueClass(LongWritable.class);
        for (int i = 0; i < args.length - 1; i++) {
            FileInputFormat.addInputPath(job, new Path(args[i]));
        }
        FileOutputFormat.setOutputPath(job, new Path(args[args.length - 1]));
        return job.waitForCompletion(true) ? 0 : 1;
    }

    public static void main(String[] args) throws Exception {
        System.exit(ToolRunner.run(new LevelCount(), args));
    }
}
