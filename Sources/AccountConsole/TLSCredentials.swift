import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The certificate chain and key `serve` answers HTTPS with, read from PEM files and read again
/// on SIGHUP (a renewed certificate takes effect without a restart or a dropped connection).
///
/// swift-nio-ssl asks ``configuration`` 's context callback at every handshake, which hands it
/// the files' current contents; a reload that fails keeps the previous pair and says why.
public final class TLSCredentials: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let current: Mutex<Pair>

    struct Pair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    /// A failure to read or parse the files, in words for an operator.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(certificatePath: String, keyPath: String) throws(Failure) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.current = Mutex(try Self.load(certificatePath: certificatePath, keyPath: keyPath))
    }

    static func load(certificatePath: String, keyPath: String) throws(Failure) -> Pair {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Failure(description: "--tls-cert \(certificatePath): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw Failure(description: "--tls-cert \(certificatePath): no certificate in it") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Failure(description: "--tls-key \(keyPath): not a readable PEM private key (\(error))")
        }
        // A key that does not go with the certificate fails every handshake: refuse it here.
        do {
            var check = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            check.minimumTLSVersion = .tlsv12
            _ = try NIOSSLContext(configuration: check)
        } catch {
            throw Failure(description: "--tls-key \(keyPath) does not belong to the certificate in \(certificatePath)")
        }
        return Pair(chain: chain, key: key)
    }

    /// Reads the files again; on failure the previous pair stays in use.
    public func reload() throws(Failure) {
        let pair = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        current.withLock { $0 = pair }
    }

    /// TLS 1.2 and later, with the current pair at every handshake.
    public var configuration: TLSConfiguration {
        let pair = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) }, privateKey: .privateKey(pair.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            let pair = self.current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
        return configuration
    }
}

/// Reloads the TLS files at each SIGHUP until graceful shutdown.
struct TLSReloadService: Service {
    let credentials: TLSCredentials
    let logger: Logger

    func run() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                try credentials.reload()
                logger.notice("SIGHUP: TLS certificate and key reloaded from \(credentials.certificatePath)")
            } catch {
                logger.error("SIGHUP: TLS files not reloaded, the previous certificate stays in use: \(error)")
            }
        }
    }
}
