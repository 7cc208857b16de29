"""Draws bench.png from bench.json: one panel per quantity, grouped bars per map (one
bar per peer, min-max over rounds as whiskers), mapback's rows highlighted.

    benches/.venv/bin/python benches/chart.py results/bench.json results/bench.png

run.py calls it with the bench venv's python, which has matplotlib (python/requirements.txt).
"""

import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

# mapback's rows stand out; the peers are muted, one hue family per language.
MAPBACK_COLORS = {"Rust": "#d1495b", "Python": "#00798c", "Node": "#edae49"}
PEER_COLORS = {
    "Rust": ["#9aa5b1", "#c5ccd3", "#6b7884", "#dfe3e8", "#b5b5b5", "#7f7f7f"],
    "Python": ["#a3c4bc", "#cfe0dc", "#7aa79d", "#5d8b80"],
    "Node": ["#e9d8a6", "#cdb884"],
}
# The panels, in order (quantities that bench.json has no table for are left out).
ORDER = ["parse", "lookup", "memory", "batch", "symbolicate", "cache_open",
         "cache_lookup", "cache_build", "cache_size", "cache_open_bytes"]


def colors_for(rows):
    used = {lang: 0 for lang in PEER_COLORS}
    out = []
    for row in rows:
        lang = row["lang"]
        if row["name"] == "mapback":
            out.append((MAPBACK_COLORS.get(lang, "#d1495b"), True))
        else:
            palette = PEER_COLORS.get(lang, ["#bbbbbb"])
            out.append((palette[used.get(lang, 0) % len(palette)], False))
            used[lang] = used.get(lang, 0) + 1
    return out


def panel(ax, table):
    maps = [m["label"] for m in table["maps"]]
    rows = table["rows"]
    values = [c["median"] for r in rows for c in r["cells"] if c and c["median"] > 0]
    if not values:
        ax.set_visible(False)
        return
    log = max(values) / min(values) > 10
    n = len(rows)
    width = 0.84 / n
    for i, (row, (color, highlight)) in enumerate(zip(rows, colors_for(rows))):
        xs, heights, lows, highs, missing = [], [], [], [], []
        for j, c in enumerate(row["cells"]):
            x = j - 0.42 + width * (i + 0.5)
            if c and c["median"] > 0:
                xs.append(x)
                heights.append(c["median"])
                lows.append(c["median"] - c["min"])
                highs.append(c["max"] - c["median"])
            elif row["failures"][j]:
                missing.append((x, row["failures"][j]))
        ax.bar(xs, heights, width, color=color, label=row["label"],
               edgecolor="black" if highlight else "none", linewidth=0.9 if highlight else 0,
               zorder=3 if highlight else 2)
        if xs:
            ax.errorbar(xs, heights, yerr=[lows, highs], fmt="none", ecolor="#333333",
                        elinewidth=0.7, capsize=1.5, zorder=4)
        for x, why in missing:
            word = "crash" if why.startswith("crash") else ("timeout" if why.startswith("timeout") else "error")
            ax.annotate("✕ " + word, (x, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", rotation=90,
                        fontsize=6.5, color="#b00020", ha="center", va="bottom")
    if log:
        ax.set_yscale("log")
        # Plain numbers (300, 0.01), not 3×10², with 2, 3 and 5 labelled too when the
        # values span less than two decades.
        plain = FuncFormatter(lambda v, _: "%g" % v)
        ax.yaxis.set_major_formatter(plain)
        if max(values) / min(values) < 100:
            ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 3.0, 5.0)))
            ax.yaxis.set_minor_formatter(plain)
        else:
            ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(range(len(maps)))
    ax.set_xticklabels(maps, fontsize=8.5)
    ax.set_xlim(-0.55, len(maps) - 0.45)
    unit = table["unit"]
    ax.set_title("%s\n(%s, lower is better%s)" % (table["title"], unit, ", log scale" if log else ""),
                 fontsize=10)
    ax.grid(axis="y", which="major", color="#e6e6e6", zorder=0)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def main(source, target):
    with open(source) as handle:
        doc = json.load(handle)
    tables = {t["quantity"]: t for t in doc["tables"]}
    chosen = [tables[q] for q in ORDER if q in tables]
    if not chosen:
        print("chart.py: no tables in %s" % source)
        return 1
    columns = 2 if len(chosen) > 1 else 1
    lines = int(math.ceil(len(chosen) / float(columns)))
    width = max(7.5, 1.1 * len(doc["maps"]) + 3.5)
    fig, axes = plt.subplots(lines, columns, figsize=(width * columns, 3.9 * lines), squeeze=False)
    for ax, table in zip(axes.flat, chosen):
        panel(ax, table)
    for ax in list(axes.flat)[len(chosen):]:
        ax.set_visible(False)
    env = doc["environment"]
    fig.suptitle("mapback benchmarks%s — %s, %s cores, mapback %s, %s — median of %d rounds, "
                 "whiskers min–max" % (" (quick smoke run)" if doc["settings"]["quick"] else "",
                                       env.get("cpu"), env.get("cores"), env.get("mapback_short"),
                                       doc["created"][:10], doc["settings"]["rounds"]),
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(target, dpi=110)
    print("chart.py: wrote %s" % target)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
