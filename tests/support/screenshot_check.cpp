// vvc_screenshot_check PNG WIDTH HEIGHT: checks a screenshot of vvc-gui. It must read back as an image of
// WIDTH x HEIGHT pixels that is not blank: a rendered window has text, lines and coloured plots, so it holds
// many distinct colours (the views hold 250-750) and no single colour covers most of it (the background covers
// about half). Exit status 0 when it passes, 1 otherwise.
#include <QHash>
#include <QImage>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: vvc_screenshot_check PNG WIDTH HEIGHT\n");
    return 2;
  }
  const QImage image(QString::fromLocal8Bit(argv[1]));
  if (image.isNull()) {
    std::printf("%s: not a readable image\n", argv[1]);
    return 1;
  }
  const int width = std::atoi(argv[2]);
  const int height = std::atoi(argv[3]);
  if (image.width() != width || image.height() != height) {
    std::printf("%s: %d x %d pixels, expected %d x %d\n", argv[1], image.width(), image.height(), width,
                height);
    return 1;
  }
  QHash<QRgb, qint64> counts;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) ++counts[image.pixel(x, y)];
  }
  qint64 most = 0;
  for (const qint64 n : counts) most = std::max(most, n);
  const double dominant = static_cast<double>(most) / (static_cast<double>(width) * height);
  constexpr int kMinColours = 128;
  constexpr double kMaxDominant = 0.90;
  if (counts.size() < kMinColours || dominant > kMaxDominant) {
    std::printf(
        "%s looks blank: %lld distinct colours (expected >= %d), the commonest covers %.1f %% (expected "
        "<= %.0f %%)\n",
        argv[1], static_cast<long long>(counts.size()), kMinColours, 100.0 * dominant, 100.0 * kMaxDominant);
    return 1;
  }
  std::printf("%s: %d x %d, %lld colours, commonest %.1f %%\n", argv[1], width, height,
              static_cast<long long>(counts.size()), 100.0 * dominant);
  return 0;
}
