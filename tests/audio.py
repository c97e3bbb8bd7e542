"""Real voice recordings for tests, made with FFmpeg (PyAV): what phones' MediaRecorder sends."""
import io
import math

FORMATS = {"webm": ("webm", "libopus"), "ogg": ("ogg", "libopus"), "mp4": ("mp4", "aac")}


def recording(container="webm", seconds=2.0, rate=48000, with_video=False):
    """The bytes of a mono tone of ``seconds`` in ``container`` (webm / ogg / mp4)."""
    import av
    import numpy as np

    fmt, codec = FORMATS[container]
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        video = None
        if with_video:
            video = out.add_stream("libvpx", rate=5)
            video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        n = int(seconds * rate)
        pcm = (np.sin(2 * math.pi * 440 * np.arange(n) / rate) * 0.3).astype(np.float32)
        for i in range(0, n, 960):
            frame = av.AudioFrame.from_ndarray(pcm[None, i:i + 960], format="flt", layout="mono")
            frame.sample_rate, frame.pts = rate, i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if video is not None:
            for k in range(3):
                frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), dtype=np.uint8), format="rgb24")
                frame.pts = k
                for packet in video.encode(frame):
                    out.mux(packet)
            for packet in video.encode(None):
                out.mux(packet)
    return buf.getvalue()
