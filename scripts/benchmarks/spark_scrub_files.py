"""Times x837.spark.scrub_files over a directory in a local PySpark session and writes
every column (corrected bytes, report, counts) to Parquet, as a job would keep them.

    python spark_scrub_files.py DIR OUT [MASTER]

Prints one line: files, MB read, seconds and MB/s with the Parquet write, and without it
(the rows summed on the executors). Run by scripts/benchmarks/spark.sh.
"""

import os
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from x837.spark import scrub_files


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    master = sys.argv[3] if len(sys.argv) > 3 else "local[2]"
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master(master)
        .appName("x837-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    files = spark.read.format("binaryFile").load(src)
    size = sum(os.path.getsize(os.path.join(src, n)) for n in os.listdir(src))
    start = time.monotonic()
    result = scrub_files(files)
    result.write.mode("overwrite").parquet(out)
    took = time.monotonic() - start
    # The same without the Parquet write: every row made and summed on the executors.
    start = time.monotonic()
    sums = scrub_files(files).agg(F.sum("claims"), F.sum(F.length("corrected"))).collect()[0]
    bare = time.monotonic() - start
    rows = spark.read.parquet(out)
    n = rows.count()
    bad = rows.filter(F.col("exit") == 2).count()
    print(f"spark scrub_files {master}: {n} files ({bad} exit 2), {size / 1e6:.0f} MB, "
          f"{took:.1f} s, {size / 1e6 / took:.1f} MB/s written to Parquet; "
          f"{bare:.1f} s, {size / 1e6 / bare:.1f} MB/s summed ({sums[0]} claims)")
    spark.stop()


if __name__ == "__main__":
    main()
