import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request is not all there within the request timeout of its head:
/// a client that sends its body a byte at a time (slowloris) holds a connection and a handler
/// only that long. Hummingbird's idle timeout covers the rest — a connection that is silent, or
/// that dribbles its header lines (no request part is decoded until the head is complete).
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            let seconds = timeout.nanoseconds / 1_000_000_000
            let logger = logger
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                logger.warning(
                    "closed a connection whose request did not arrive within \(seconds) s",
                    metadata: ["client": "\(context.channel.remoteAddress?.description ?? "unknown")"])
                context.close(promise: nil)
            }
        case .body: break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
