// The widget's words, in the languages of the seed material. The browser's language picks them.
namespace SwitchboardWidget {
  export interface Strings {
    open: string;
    title: string;
    intro: string;
    name: string;
    email: string;
    optional: string;
    firstMessage: string;
    start: string;
    send: string;
    end: string;
    close: string;
    placeholder: string;
    connecting: string;
    reconnecting: string;
    queued: (position: number, minutes: number) => string;
    waitingForAgent: string;
    joined: (name: string) => string;
    typing: (name: string) => string;
    delivered: string;
    endedByAgent: string;
    endedByCustomer: string;
    endedBySystem: string;
    remaining: (count: number) => string;
    tooLong: (over: number) => string;
    reserved: string;
    nameRequired: string;
    messageRequired: string;
    invitation: string;
    invitationAccept: string;
    invitationDismiss: string;
    paymentDataHidden: string;
    earlier: string;
    attach: string;
    sendingFiles: (count: number) => string;
    uploadFailed: string;
    tooManyFiles: (most: number) => string;
    openImage: (name: string) => string;
    download: (name: string) => string;
    surveyTitle: string;
    surveyRating: string;
    stars: (count: number) => string;
    surveyComment: string;
    surveySend: string;
    surveyThanks: string;
  }

  const en: Strings = {
    open: "Chat with us",
    title: "Chat",
    intro: "Ask us anything — we usually answer in a few minutes.",
    name: "Your name",
    email: "E-mail",
    optional: "optional",
    firstMessage: "How can we help?",
    start: "Start chat",
    send: "Send",
    end: "End chat",
    close: "Close",
    placeholder: "Write a message…",
    paymentDataHidden: "Card and account numbers you write are hidden for your safety.",
    earlier: "Show earlier messages",
    connecting: "Connecting…",
    reconnecting: "Connection lost — reconnecting…",
    queued: (position, minutes) =>
      `You are number ${position} in the queue (about ${minutes} min).`,
    waitingForAgent: "Waiting for an agent…",
    joined: (name) => `${name} joined the chat.`,
    typing: (name) => `${name} is typing…`,
    delivered: "Delivered",
    endedByAgent: "The agent ended the chat.",
    endedByCustomer: "You ended the chat.",
    endedBySystem: "The chat was interrupted.",
    remaining: (count) => `${count} characters left`,
    tooLong: (over) => `Too long by ${over} characters.`,
    reserved: "The characters < and > cannot be sent.",
    nameRequired: "Please tell us your name.",
    messageRequired: "Please write a message.",
    invitation: "Invitation to chat",
    invitationAccept: "Chat now",
    invitationDismiss: "No thanks",
    attach: "Attach a file",
    sendingFiles: (count) => (count === 1 ? "Sending the file…" : `Sending ${count} files…`),
    uploadFailed: "The file could not be sent; please try again.",
    tooManyFiles: (most) => `At most ${most} files at once.`,
    openImage: (name) => `Open the picture ${name}`,
    download: (name) => `Download ${name}`,
    surveyTitle: "How did we do?",
    surveyRating: "Your rating",
    stars: (count) => (count === 1 ? "1 star" : `${count} stars`),
    surveyComment: "Anything to add?",
    surveySend: "Send rating",
    surveyThanks: "Thank you for your feedback!",
  };

  const cs: Strings = {
    ...en,
    open: "Napište nám",
    title: "Chat",
    intro: "Zeptejte se nás na cokoli — obvykle odpovídáme do pár minut.",
    name: "Vaše jméno",
    optional: "nepovinné",
    firstMessage: "S čím vám můžeme pomoci?",
    start: "Zahájit chat",
    send: "Odeslat",
    end: "Ukončit chat",
    close: "Zavřít",
    placeholder: "Napište zprávu…",
    paymentDataHidden: "Čísla karet a účtů, která napíšete, jsou kvůli vaší bezpečnosti skryta.",
    earlier: "Zobrazit starší zprávy",
    connecting: "Připojování…",
    reconnecting: "Spojení přerušeno — připojuji znovu…",
    queued: (position, minutes) => `Jste ${position}. ve frontě (asi ${minutes} min).`,
    waitingForAgent: "Čekáme na operátora…",
    joined: (name) => `${name} se připojil(a) k chatu.`,
    typing: (name) => `${name} píše…`,
    delivered: "Doručeno",
    endedByAgent: "Operátor chat ukončil.",
    endedByCustomer: "Chat jste ukončili.",
    endedBySystem: "Chat byl přerušen.",
    remaining: (count) => `Zbývá ${count} znaků`,
    tooLong: (over) => `O ${over} znaků příliš dlouhé.`,
    reserved: "Znaky < a > nelze odeslat.",
    nameRequired: "Uveďte prosím své jméno.",
    messageRequired: "Napište prosím zprávu.",
    invitation: "Pozvánka k chatu",
    invitationAccept: "Chatovat",
    invitationDismiss: "Ne, děkuji",
    attach: "Přiložit soubor",
    sendingFiles: (count) => (count === 1 ? "Odesílám soubor…" : `Odesílám soubory (${count})…`),
    uploadFailed: "Soubor se nepodařilo odeslat; zkuste to prosím znovu.",
    tooManyFiles: (most) => `Najednou nejvýše ${most} souborů.`,
    openImage: (name) => `Otevřít obrázek ${name}`,
    download: (name) => `Stáhnout ${name}`,
    surveyTitle: "Jak jsme si vedli?",
    surveyRating: "Vaše hodnocení",
    stars: (count) => (count === 1 ? "1 hvězdička" : count < 5 ? `${count} hvězdičky` : `${count} hvězdiček`),
    surveyComment: "Chcete něco dodat?",
    surveySend: "Odeslat hodnocení",
    surveyThanks: "Děkujeme za vaši zpětnou vazbu!",
  };

  const da: Strings = {
    ...en,
    open: "Chat med os",
    intro: "Spørg os om hvad som helst — vi svarer som regel inden for få minutter.",
    name: "Dit navn",
    email: "E-mail",
    optional: "valgfri",
    firstMessage: "Hvordan kan vi hjælpe?",
    start: "Start chat",
    send: "Send",
    end: "Afslut chat",
    close: "Luk",
    placeholder: "Skriv en besked…",
    paymentDataHidden: "Kort- og kontonumre, du skriver, skjules af hensyn til din sikkerhed.",
    earlier: "Vis tidligere beskeder",
    connecting: "Forbinder…",
    reconnecting: "Forbindelsen blev afbrudt — forbinder igen…",
    queued: (position, minutes) => `Du er nummer ${position} i køen (ca. ${minutes} min).`,
    waitingForAgent: "Venter på en medarbejder…",
    joined: (name) => `${name} deltager i chatten.`,
    typing: (name) => `${name} skriver…`,
    delivered: "Leveret",
    endedByAgent: "Medarbejderen afsluttede chatten.",
    endedByCustomer: "Du afsluttede chatten.",
    endedBySystem: "Chatten blev afbrudt.",
    remaining: (count) => `${count} tegn tilbage`,
    tooLong: (over) => `${over} tegn for lang.`,
    reserved: "Tegnene < og > kan ikke sendes.",
    nameRequired: "Skriv venligst dit navn.",
    messageRequired: "Skriv venligst en besked.",
    invitation: "Invitation til chat",
    invitationAccept: "Chat nu",
    invitationDismiss: "Nej tak",
    attach: "Vedhæft en fil",
    sendingFiles: (count) => (count === 1 ? "Sender filen…" : `Sender ${count} filer…`),
    uploadFailed: "Filen kunne ikke sendes; prøv igen.",
    tooManyFiles: (most) => `Højst ${most} filer ad gangen.`,
    openImage: (name) => `Åbn billedet ${name}`,
    download: (name) => `Hent ${name}`,
    surveyTitle: "Hvordan klarede vi os?",
    surveyRating: "Din vurdering",
    stars: (count) => (count === 1 ? "1 stjerne" : `${count} stjerner`),
    surveyComment: "Noget at tilføje?",
    surveySend: "Send vurdering",
    surveyThanks: "Tak for din feedback!",
  };

  const fr: Strings = {
    ...en,
    open: "Discuter avec nous",
    title: "Discussion",
    intro: "Posez-nous vos questions — nous répondons en général en quelques minutes.",
    name: "Votre nom",
    email: "E-mail",
    optional: "facultatif",
    firstMessage: "Comment pouvons-nous vous aider ?",
    start: "Démarrer",
    send: "Envoyer",
    end: "Terminer",
    close: "Fermer",
    placeholder: "Écrivez un message…",
    paymentDataHidden: "Les numéros de carte et de compte que vous écrivez sont masqués pour votre sécurité.",
    earlier: "Afficher les messages précédents",
    connecting: "Connexion…",
    reconnecting: "Connexion perdue — reconnexion…",
    queued: (position, minutes) =>
      `Vous êtes n° ${position} dans la file (environ ${minutes} min).`,
    waitingForAgent: "En attente d’un conseiller…",
    joined: (name) => `${name} a rejoint la discussion.`,
    typing: (name) => `${name} écrit…`,
    delivered: "Distribué",
    endedByAgent: "Le conseiller a terminé la discussion.",
    endedByCustomer: "Vous avez terminé la discussion.",
    endedBySystem: "La discussion a été interrompue.",
    remaining: (count) => `${count} caractères restants`,
    tooLong: (over) => `${over} caractères de trop.`,
    reserved: "Les caractères < et > ne peuvent pas être envoyés.",
    nameRequired: "Indiquez votre nom, s’il vous plaît.",
    messageRequired: "Écrivez un message, s’il vous plaît.",
    invitation: "Invitation à discuter",
    invitationAccept: "Discuter",
    invitationDismiss: "Non merci",
    attach: "Joindre un fichier",
    sendingFiles: (count) => (count === 1 ? "Envoi du fichier…" : `Envoi de ${count} fichiers…`),
    uploadFailed: "Le fichier n’a pas pu être envoyé ; veuillez réessayer.",
    tooManyFiles: (most) => `${most} fichiers au plus à la fois.`,
    openImage: (name) => `Ouvrir l’image ${name}`,
    download: (name) => `Télécharger ${name}`,
    surveyTitle: "Comment nous sommes-nous débrouillés ?",
    surveyRating: "Votre note",
    stars: (count) => (count === 1 ? "1 étoile" : `${count} étoiles`),
    surveyComment: "Quelque chose à ajouter ?",
    surveySend: "Envoyer la note",
    surveyThanks: "Merci pour votre avis !",
  };

  const pl: Strings = {
    ...en,
    open: "Napisz do nas",
    title: "Czat",
    intro: "Zapytaj o cokolwiek — zwykle odpowiadamy w kilka minut.",
    name: "Imię",
    email: "E-mail",
    optional: "opcjonalnie",
    firstMessage: "W czym możemy pomóc?",
    start: "Rozpocznij czat",
    send: "Wyślij",
    end: "Zakończ czat",
    close: "Zamknij",
    placeholder: "Napisz wiadomość…",
    paymentDataHidden: "Numery kart i kont, które wpiszesz, są ukrywane dla Twojego bezpieczeństwa.",
    earlier: "Pokaż wcześniejsze wiadomości",
    connecting: "Łączenie…",
    reconnecting: "Utracono połączenie — łączę ponownie…",
    queued: (position, minutes) => `Jesteś ${position}. w kolejce (ok. ${minutes} min).`,
    waitingForAgent: "Czekamy na konsultanta…",
    joined: (name) => `${name} dołączył(a) do czatu.`,
    typing: (name) => `${name} pisze…`,
    delivered: "Dostarczono",
    endedByAgent: "Konsultant zakończył czat.",
    endedByCustomer: "Zakończono czat.",
    endedBySystem: "Czat został przerwany.",
    remaining: (count) => `Pozostało znaków: ${count}`,
    tooLong: (over) => `Za długa o ${over} znaków.`,
    reserved: "Znaków < i > nie można wysłać.",
    nameRequired: "Podaj swoje imię.",
    messageRequired: "Napisz wiadomość.",
    invitation: "Zaproszenie do czatu",
    invitationAccept: "Porozmawiaj",
    invitationDismiss: "Nie, dziękuję",
    attach: "Dołącz plik",
    sendingFiles: (count) => (count === 1 ? "Wysyłanie pliku…" : `Wysyłanie plików (${count})…`),
    uploadFailed: "Nie udało się wysłać pliku; spróbuj ponownie.",
    tooManyFiles: (most) => `Najwyżej ${most} plików naraz.`,
    openImage: (name) => `Otwórz obraz ${name}`,
    download: (name) => `Pobierz ${name}`,
    surveyTitle: "Jak nam poszło?",
    surveyRating: "Twoja ocena",
    stars: (count) => (count === 1 ? "1 gwiazdka" : count < 5 ? `${count} gwiazdki` : `${count} gwiazdek`),
    surveyComment: "Chcesz coś dodać?",
    surveySend: "Wyślij ocenę",
    surveyThanks: "Dziękujemy za opinię!",
  };

  const byLanguage: Record<string, Strings> = { en, cs, da, fr, pl };

  /** The strings for the first of the browser's languages the widget speaks; English otherwise. */
  export function strings(languages: readonly string[]): Strings {
    for (const tag of languages) {
      const found = byLanguage[tag.toLowerCase().split("-")[0]];
      if (found) return found;
    }
    return en;
  }
}
